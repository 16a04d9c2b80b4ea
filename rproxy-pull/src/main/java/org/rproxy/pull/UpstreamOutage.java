package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.rproxy.core.config.Durations;
import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Words an upstream outage as one event, not as a line per document held, and only what is one.
 * When the upstream stops answering (a refused or reset connection, a timeout), every tracked
 * document's next attempt fails the same way; logged one by one, a catalog of hundreds of
 * documents gave hundreds of warnings per upstream restart, and as many lines again when it came
 * back. Here the first such failure is one WARN (the reason, which names the upstream, and how
 * many documents are held and wait on it; an INFO first when what is held bridges a restart,
 * below), later ones while it lasts at most a reminder per
 * {@link #REMINDER}, and the end one INFO, once every document that failed meanwhile has been
 * answered again or found failing on its own (how long the upstream was away, how many documents
 * were refreshed, and apart from them those answered with no copy to hold: an error, or an answer
 * refused or that cannot be used; before, those were counted as refreshed).
 *
 * <p>A planned restart of the upstream is an outage of seconds, which what the proxy holds bridges:
 * it begins at INFO, and the WARN comes only at the first attempt that fails {@link #GRACE} or more
 * after it began, the same 30 s the push feed gives a stream its upstream ended (a restart takes
 * seconds: start, read the maps, sign; {@code refresh.retry}, the time to notice the return, is
 * not the time it takes). An outage that hurts clients is warned of at once: when the proxy holds
 * no signed document it can serve, when a signed copy it serves now stops being servable within
 * the grace (its signature expires, or its {@code stale-if-error} window ends), or when an attempt
 * fails meanwhile for a document it holds no servable copy of (one asked for that is not held, a
 * prefetched one that expired). Each outage is one WARN at most, as before. A fetch of a document
 * not held that fails meanwhile is the outage's too ({@link #missFailed}): the end line counts
 * them, rather than a WARN per miss every 10 s while a crowd asks through the outage.
 *
 * <p>An upstream that answers a document a {@code 5xx} is up: that document fails on its own,
 * told on its own line once until it is answered again, and its caller says when it is. Such
 * answers are the upstream's as a whole only when two documents begin to get them with nothing
 * answered between ({@link FailingDocuments}, the rule {@link FailoverUpstream} leaves an upstream
 * by: a parent proxy whose own upstream is away answers every document so; a document failing on
 * its own already is no sign of it: two failing lastingly, tried again together, made a false
 * outage at each retry), or while an
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
    /** How long an outage that hurts no client may last before it is warned of (a restart's length). */
    static final Duration GRACE = Duration.ofSeconds(30);
    /** How many documents answered with no copy to hold the end line names at most. */
    private static final int NAMED = 5;
    private static final String STILL = "upstream still not answering: {}; {} documents failed since {}, {} held";

    private final Clock clock;
    private final CachedCopies copies;
    private final OutageCopies holdings;
    private final RateLimitedLog reminders = new RateLimitedLog(REMINDER);
    /** The documents whose last attempt failed in this outage; the outage lasts while any is left. */
    private final Set<CacheKey> waiting = new HashSet<>();
    /**
     * The documents failing on their own (told once), and the answers the upstream gave: two
     * beginning to get a {@code 5xx} with nothing answered between are an outage. One found
     * failing while an outage ends is no such sign. Bounded by the entries tracked (a forgotten
     * one is let go of, {@link #forgetGone}).
     */
    private final FailingDocuments<CacheKey> alone = new FailingDocuments<>(Integer.MAX_VALUE);
    private Instant since;
    /** When the upstream first answered in this outage, or null while it has not. */
    private Instant back;
    private int refreshed;
    /** The documents answered in this outage with no copy to hold: the end line counts them apart. */
    private final List<CacheKey> unrefreshed = new ArrayList<>();
    /** The line of an outage begun at INFO and not warned of yet, else null. */
    private String quiet;
    /** The fetches of documents not held that failed in this outage ({@link #missFailed}): the end line counts them. */
    private int misses;

    /** What an outage makes of a failed fetch of a document not held ({@link #missFailed}). */
    enum Miss {
        /** Not the outage's: the caller logs it as a failed miss. */
        OWN,
        /** The first in an outage warned of already: the caller logs it; the others are counted. */
        FIRST,
        /** Told by the outage: its WARN named it, or its end line counts it. */
        COUNTED
    }

    /** An outage of the upstream {@code copies} are fetched from; a key forgotten meanwhile waits no more. */
    UpstreamOutage(Clock clock, CachedCopies copies) {
        this.clock = requireNonNull(clock, "clock");
        this.copies = requireNonNull(copies, "copies");
        this.holdings = new OutageCopies(copies);
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
                if (alone.failingAnyway(key)) {
                    told(key, f, held);
                }
                endIfOver();
                return;
            }
            if (!answeredError) {
                back = null; // not answering again
            }
            waiting.add(key);
            alone.forget(key);
            Instant now = clock.instant();
            if (quiet != null && (!now.isBefore(since.plus(GRACE)) || !holdings.servable(key, now))) {
                warn(quiet + (now.isBefore(since.plus(GRACE)) ? "; no copy of " + key + " to serve meanwhile"
                        : "; not back within " + Durations.describe(GRACE)));
            } else if (quiet == null) {
                reminders.warnAbout(LOG, this, STILL, f.reason(), waiting.size(), since, holdings.count());
            }
            return;
        }
        if (!answeredError) {
            begin(key, "upstream stopped answering: " + f.reason() + " (first for " + key + ")");
            return;
        }
        if (alone.failing(key)) {
            return; // failing on its own already: no news, nor a sign of the upstream's
        }
        List<CacheKey> before = alone.began(key);
        if (before.isEmpty()) {
            told(key, f, held);
            return;
        }
        // another document began to get one with nothing answered between: the upstream fails as a whole
        before.forEach(alone::forget);
        waiting.addAll(before);
        begin(key, "upstream failing for every document asked: " + f.reason() + " (for " + key + ", and " + before
                + " before it with nothing answered between)");
    }

    /**
     * The upstream answered the attempt for {@code key} ({@link #upstreamAnswered}), with a copy
     * held now when {@code refreshed}. Returns true when {@code key} was waiting on an outage,
     * which then speaks for it: its caller logs nothing of its coming back. The outage ends when
     * nothing waits on it any more, also when what waited was forgotten meanwhile: it lasted, its
     * end line never came and every miss failing later was counted in it, until a document that
     * waited was answered.
     */
    synchronized boolean answered(CacheKey key, boolean refreshed) {
        alone.answered(key);
        if (waiting.isEmpty()) {
            return false;
        }
        if (back == null) {
            back = clock.instant();
        }
        boolean waited = waiting.remove(key);
        if (waited && refreshed) {
            this.refreshed++;
        } else if (waited) {
            unrefreshed.add(key);
        }
        forgetGone();
        endIfOver();
        return waited;
    }

    /**
     * The fetch of {@code key}, which has no entry (a client's miss, a map a computed answer
     * names), failed as {@code f}. While an outage lasts, one the upstream did not answer
     * ({@link #noAnswer}; a {@code 5xx} only while nothing was answered since it began) is the
     * outage's: in an outage not warned of yet it makes the WARN come now, naming {@code key}
     * (a client asking for it is refused); after that, the first is the caller's to log and the
     * others are counted in the end line. Before, each was a WARN of its own, once per
     * {@code MISS_FAILURE_INTERVAL}, for as long as the outage lasted, and never made the outage
     * warned of.
     */
    synchronized Miss missFailed(CacheKey key, FetchResult.Failed f) {
        forgetGone(); // an outage nothing tracked waits on any more is no outage to count it in
        boolean answeredError = f.upstreamStatus() != 0;
        if (waiting.isEmpty() || !noAnswer(f) || answeredError && back != null) {
            return Miss.OWN;
        }
        if (!answeredError) {
            back = null; // not answering again
        }
        misses++;
        if (quiet != null) {
            warn(quiet + "; no copy of " + key + " to serve meanwhile");
            return Miss.COUNTED;
        }
        return misses == 1 ? Miss.FIRST : Miss.COUNTED;
    }

    private void begin(CacheKey key, String line) {
        since = clock.instant();
        back = null;
        refreshed = 0;
        misses = 0;
        unrefreshed.clear();
        waiting.add(key);
        alone.forget(key);
        quiet = null;
        if (holdings.bridge(key, since, GRACE)) {
            quiet = line;
            LOG.info("{}; {} documents held, each servable for {} more at least: a warning follows if it does not"
                    + " answer within that (a restart, say)", line, holdings.count(), Durations.describe(GRACE));
            return;
        }
        warn(line);
    }

    /** The outage's one WARN: {@code line}, and what the proxy holds. */
    private void warn(String line) {
        quiet = null;
        reminders.admit(LOG, STILL, this); // the first reminder comes an interval after this line
        long count = holdings.count();
        LOG.warn("{}; {}", line, count == 0 ? "no document held yet: what clients ask for waits on it"
                : count + " documents held wait on it, served while valid");
    }

    /** Tells that {@code key} fails on its own, once until it is answered again. */
    private static void told(CacheKey key, FetchResult.Failed f, boolean held) {
        LOG.warn("{}: {}; {}", key, f.reason(), held ? "serving the held copy while it is valid" : "no copy held");
    }

    private void endIfOver() {
        if (waiting.isEmpty()) {
            quiet = null;
            Duration away = Duration.between(since, back != null ? back : clock.instant());
            LOG.info("upstream answers again after {} s away; {} documents refreshed that had failed meanwhile{}{}{}",
                    Math.max(0, away.toSeconds()), refreshed, unrefreshed.isEmpty() ? ""
                            : "; " + unrefreshed.size() + " answered but not refreshed (an error, or an answer refused or that"
                            + " cannot be used): " + names(),
                    alone.size() == 0 ? "" : "; " + alone.size() + " failing on their own, each logged apart",
                    misses == 0 ? "" : "; " + misses + " fetches of documents not held failed meanwhile (clients asking for"
                            + " them got an error)");
        }
    }

    /** The documents answered with no copy to hold, as many as are named, and "..." for the others. */
    private String names() {
        String named = unrefreshed.stream().limit(NAMED).map(CacheKey::toString).collect(Collectors.joining(", "));
        return unrefreshed.size() > NAMED ? named + ", ..." : named;
    }

    /** Lets go of the documents forgotten meanwhile: they wait no more. */
    private void forgetGone() {
        waiting.removeIf(k -> copies.get(k) == null);
        alone.forgetIf(k -> copies.get(k) == null);
    }
}
