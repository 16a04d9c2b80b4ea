package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Words an upstream outage as one event, not as a line per document held, and only what is one.
 * When the upstream stops answering (a refused or reset connection, a timeout), every tracked
 * document's next attempt fails the same way; logged one by one, a catalog of hundreds of
 * documents gave hundreds of warnings per upstream restart, and as many lines again when it came
 * back. Here the first such failure is one WARN (the reason, which names the upstream, and how
 * many documents are held and wait on it), later ones while it lasts at most a reminder per
 * {@link #REMINDER}, and the end one INFO, once every document that failed meanwhile has been
 * answered again or found failing on its own (how long the upstream was away, how many documents
 * were refreshed).
 *
 * <p>An upstream that answers a document a {@code 5xx} is up: that document fails on its own,
 * told on its own line once until it is answered again, and its caller says when it is. Such
 * answers are the upstream's as a whole only when two documents begin to get them with nothing
 * answered between (a parent proxy whose own upstream is away answers every document so; a
 * document failing on its own already is no sign of it: two failing lastingly, tried again
 * together, made a false outage at each retry), or while an
 * outage lasts and nothing has been answered since it began (an upstream restarting may answer
 * {@code 503} for a moment). Before, a lasting {@code 5xx} for one document was logged as an
 * outage of the whole upstream, recalled every minute while the others were refreshed, and its
 * end waited until that document was answered or forgotten. What is particular to one document
 * otherwise (a 404, a refused signature) is not an outage: its caller logs it on its own line.
 *
 * <p>Thread-safe: attempts end on the worker threads.
 */
final class UpstreamOutage {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamOutage.class);
    /** How often, at most, a lasting outage is recalled in the log. */
    static final Duration REMINDER = Duration.ofMinutes(1);
    /** The count of a document failing on its own that was failing before: never a sign of an outage. */
    private static final long FAILING_BEFORE = -1;
    private static final String STILL = "upstream still not answering: {}; {} documents failed since {}, {} held";

    private final Clock clock;
    private final CachedCopies copies;
    private final RateLimitedLog reminders = new RateLimitedLog(REMINDER);
    /** The documents whose last attempt failed in this outage; the outage lasts while any is left. */
    private final Set<CacheKey> waiting = new HashSet<>();
    /**
     * The documents failing on their own (told once), each with {@link #answers} when it began to:
     * another's first {@code 5xx} with the same count came with nothing answered between. A
     * document failing again is no such sign, nor one found failing at an outage's end (its count
     * {@link #FAILING_BEFORE}).
     */
    private final Map<CacheKey, Long> alone = new HashMap<>();
    /** The attempts the upstream answered, in all. */
    private long answers;
    private Instant since;
    /** When the upstream first answered in this outage, or null while it has not. */
    private Instant back;
    private int refreshed;

    /** An outage of the upstream {@code copies} are fetched from; a key forgotten meanwhile waits no more. */
    UpstreamOutage(Clock clock, CachedCopies copies) {
        this.clock = requireNonNull(clock, "clock");
        this.copies = requireNonNull(copies, "copies");
    }

    /**
     * True when {@code r} is an attempt the upstream did not answer, or answered a 5xx: no
     * connection, a timeout, a reset, a 5xx (504 here). Not a refused answer, nor 503: this
     * proxy's own overload, or every connection to the upstream busy answering others.
     */
    static boolean noAnswer(FetchResult r) {
        return r instanceof FetchResult.Failed f && !f.rejected() && f.status() == 504;
    }

    /**
     * True when the upstream answered the attempt {@code r}: a copy, an error for the request, or an
     * answer refused here or that cannot be used ({@link FetchResult.Failed#upstreamAnswered}).
     */
    static boolean upstreamAnswered(FetchResult r) {
        return r instanceof FetchResult.Stored || r instanceof FetchResult.Answer
                || r instanceof FetchResult.Failed f && f.upstreamAnswered();
    }

    /**
     * The attempt for tracked {@code key} failed as {@code f} ({@link #noAnswer}); {@code held}
     * says whether a copy is held, for the line of a document failing on its own.
     */
    synchronized void failed(CacheKey key, FetchResult.Failed f, boolean held) {
        forgetGone();
        boolean answeredError = f.upstreamStatus() != 0;
        if (!waiting.isEmpty()) {
            if (answeredError && back != null) {
                // the upstream answers others since this outage began: this document fails on its own
                waiting.remove(key);
                alone(key, f, held, FAILING_BEFORE);
                endIfOver();
                return;
            }
            if (!answeredError) {
                back = null; // not answering again
            }
            waiting.add(key);
            alone.remove(key);
            reminders.warnAbout(LOG, this, STILL, f.reason(), waiting.size(), since, held());
            return;
        }
        if (!answeredError) {
            begin(key, "upstream stopped answering: " + f.reason() + " (first for " + key + ")");
            return;
        }
        if (alone.containsKey(key)) {
            return; // failing on its own already: no news, nor a sign of the upstream's
        }
        List<CacheKey> before = alone.entrySet().stream()
                .filter(e -> e.getValue() == answers).map(Map.Entry::getKey).toList();
        if (before.isEmpty()) {
            alone(key, f, held, answers);
            return;
        }
        // another document began to get one with nothing answered between: the upstream fails as a whole
        before.forEach(alone::remove);
        waiting.addAll(before);
        begin(key, "upstream failing for every document asked: " + f.reason() + " (for " + key + ", and " + before
                + " before it with nothing answered between)");
    }

    /**
     * The upstream answered the attempt for {@code key} ({@link #upstreamAnswered}). Returns true
     * when {@code key} was waiting on an outage, which then speaks for it: its caller logs nothing
     * of its coming back.
     */
    synchronized boolean answered(CacheKey key) {
        answers++;
        alone.remove(key);
        if (waiting.isEmpty()) {
            return false;
        }
        if (back == null) {
            back = clock.instant();
        }
        if (!waiting.remove(key)) {
            return false;
        }
        refreshed++;
        forgetGone();
        endIfOver();
        return true;
    }

    private void begin(CacheKey key, String line) {
        since = clock.instant();
        back = null;
        refreshed = 0;
        waiting.add(key);
        alone.remove(key);
        reminders.admit(LOG, STILL, this); // the first reminder comes an interval after this line
        long held = held();
        LOG.warn("{}; {}", line, held == 0 ? "no document held yet: what clients ask for waits on it"
                : held + " documents held wait on it, served while valid");
    }

    /**
     * The documents a copy is held of. Entries holding none (the directory a proxy started before
     * its upstream is still fetching) are not counted: a proxy that held nothing said "1 documents
     * held wait on it, served while valid".
     */
    private long held() {
        return copies.all().stream().filter(e -> e.held() != null).count();
    }

    /**
     * {@code key} fails on its own: said once, until it is answered again. {@code count}: the
     * answers so far when it began to, or {@link #FAILING_BEFORE}.
     */
    private void alone(CacheKey key, FetchResult.Failed f, boolean held, long count) {
        if (alone.putIfAbsent(key, count) == null) {
            LOG.warn("{}: {}; {}", key, f.reason(),
                    held ? "serving the held copy while it is valid" : "no copy held");
        }
    }

    private void endIfOver() {
        if (waiting.isEmpty()) {
            Duration away = Duration.between(since, back != null ? back : clock.instant());
            LOG.info("upstream answers again after {} s away; {} documents refreshed that had failed meanwhile{}",
                    Math.max(0, away.toSeconds()), refreshed, alone.isEmpty() ? ""
                            : "; " + alone.size() + " failing on their own, each logged apart");
        }
    }

    /** Lets go of the documents forgotten meanwhile: they wait no more. */
    private void forgetGone() {
        waiting.removeIf(k -> copies.get(k) == null);
        alone.keySet().removeIf(k -> copies.get(k) == null);
    }
}
