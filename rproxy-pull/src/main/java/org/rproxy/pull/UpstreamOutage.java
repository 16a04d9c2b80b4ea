package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Words an upstream outage as one event, not as a line per document held. When the upstream
 * stops answering (a refused or reset connection, a timeout, a 5xx), every tracked document's
 * next attempt fails the same way; logged one by one, a catalog of hundreds of documents gave
 * hundreds of warnings per upstream restart, and as many lines again when it came back. Here
 * the first such failure is one WARN (the reason, which names the upstream, and how many
 * documents are held and wait on it), later ones while it lasts at most a reminder per
 * {@link #REMINDER}, and the end one INFO, once every document that failed meanwhile has
 * been answered again (how long the upstream was away, how many documents were refreshed).
 * What is particular to one document (a 404, a refused signature) is not an outage: its
 * caller logs it on its own line.
 *
 * <p>Thread-safe: attempts end on the worker threads.
 */
final class UpstreamOutage {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamOutage.class);
    /** How often, at most, a lasting outage is recalled in the log. */
    static final Duration REMINDER = Duration.ofMinutes(1);
    private static final String STILL = "upstream still not answering: {}; {} documents failed since {}, {} held";

    private final Clock clock;
    private final CachedCopies copies;
    private final RateLimitedLog reminders = new RateLimitedLog(REMINDER);
    /** The documents whose last attempt failed in this outage; the outage lasts while any is left. */
    private final Set<CacheKey> waiting = new HashSet<>();
    private Instant since;
    private int refreshed;

    /** An outage of the upstream {@code copies} are fetched from; a key forgotten meanwhile waits no more. */
    UpstreamOutage(Clock clock, CachedCopies copies) {
        this.clock = requireNonNull(clock, "clock");
        this.copies = requireNonNull(copies, "copies");
    }

    /**
     * True when {@code r} is an attempt the upstream did not answer: no connection, a timeout, a
     * reset, a 5xx (504 here). Not a refused answer, nor 503: this proxy's own overload, or every
     * connection to the upstream busy answering others.
     */
    static boolean noAnswer(FetchResult r) {
        return r instanceof FetchResult.Failed f && !f.rejected() && f.status() == 504;
    }

    /** The attempt for tracked {@code key} got no answer from the upstream, for {@code reason}. */
    synchronized void failed(CacheKey key, String reason) {
        waiting.removeIf(k -> copies.get(k) == null);
        if (waiting.isEmpty()) {
            since = clock.instant();
            refreshed = 0;
            waiting.add(key);
            reminders.admit(LOG, STILL, this); // the first reminder comes an interval after this line
            LOG.warn("upstream stopped answering: {} (first for {}); {} documents held wait on it, served while valid",
                    reason, key, copies.all().size());
            return;
        }
        waiting.add(key);
        reminders.warnAbout(LOG, this, STILL, reason, waiting.size(), since, copies.all().size());
    }

    /**
     * The upstream answered the attempt for {@code key} (whatever it answered). Returns true when
     * {@code key} was waiting on an outage, which then speaks for it: its caller logs nothing of
     * its coming back.
     */
    synchronized boolean answered(CacheKey key) {
        if (!waiting.remove(key)) {
            return false;
        }
        refreshed++;
        waiting.removeIf(k -> copies.get(k) == null);
        if (waiting.isEmpty()) {
            Duration away = Duration.between(since, clock.instant());
            LOG.info("upstream answers again after {} s away; {} documents refreshed that had failed meanwhile",
                    Math.max(0, away.toSeconds()), refreshed);
        }
        return true;
    }
}
