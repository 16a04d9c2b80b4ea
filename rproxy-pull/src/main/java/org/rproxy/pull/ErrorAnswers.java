package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the upstream's error answer (an ALTO error with a {@code 4xx} status) does to an entry
 * tracked, for {@link Attempts}. The upstream is not trusted: a copy held signed and valid
 * outlives an error other than {@code 404}/{@code 410} (served, asked again after the retry
 * pause); a {@code 404} or {@code 410} for a document the origin's signed directory held lists
 * leaves its copy in place (disputed); otherwise it forgets the copy, and a prefetched entry stays,
 * asked again after the retry pause. Each is logged once: a document forgotten so vanishes from
 * what the proxy serves, so it is told on its own line, in an outage too, where the outage's end
 * line only counts it among those answered but not refreshed. Runs on the worker threads.
 */
final class ErrorAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorAnswers.class);

    private final CachedCopies copies;
    private final RetryPause pause;

    ErrorAnswers(CachedCopies copies, RetryPause pause) {
        this.copies = requireNonNull(copies, "copies");
        this.pause = requireNonNull(pause, "pause");
    }

    /**
     * The upstream answered {@code a} for {@code key}, tracked as {@code e} (null: not tracked) at
     * {@code now}; {@code inOutage} when {@code key} was waiting on an outage, whose line told its
     * earlier failure.
     */
    void answered(CacheKey key, Entry e, FetchResult.Answer a, boolean inOutage, Instant now) {
        int status = a.error().httpStatus();
        if (e != null && e.outlives(e.held(), status, now)) {
            if (e.failedAt() == null || inOutage) { // the outage's failure was not this one's
                LOG.warn("{}: upstream {} answered {} for a document held signed; serving the held copy while it "
                        + "is valid", key, a.upstream(), status);
            }
            e.failed(now, pause.after(now, e.failures()), status, "upstream answered " + status); // not asked again within retry
        } else if (e != null && (status == 404 || status == 410) && key.isGet()) {
            CachedCopy held = e.held(); // what the answer is taken to be about, read once
            if (copies.vouchedFor(e, held, now)) {
                if (!e.disputed()) {
                    LOG.warn("{}: upstream {} answered {}, but the origin's signed directory held lists it; "
                            + "serving the held copy while it is valid", key, a.upstream(), status);
                }
                e.disputed(now, pause.after(now, e.failures()), status, a.upstream());
            } else {
                hasNone(e, held, status, a.upstream(), now);
            }
        }
    }

    /**
     * The upstream has no resource at {@code e}'s GET target (it answered {@code status}, 404 or
     * 410) and nothing signed held says otherwise: forgets {@code held}, the copy the decision
     * was made on (null: none), and tells the gone listeners. A pinned (prefetched) entry stays,
     * asked again after the retry interval, and is logged naming {@code upstream}, the upstream
     * that answered so; a copy of another forgotten is logged at INFO, once (the entry goes with
     * it). Nothing of this when another copy was held since (offered): it stays.
     */
    void hasNone(Entry e, CachedCopy held, int status, String upstream, Instant now) {
        if (!copies.gone(e, held)) {
            return;
        }
        if (e.pinned) {
            // an answer, so readiness does not wait for it (as for a map the upstream cannot serve)
            if (!e.gone() || e.failureStatus() != status) {
                LOG.warn("{}: upstream {} answered {}; prefetched, so asked again after the retry interval", e.key,
                        upstream, status);
            }
            e.gone(now, pause.after(now, e.failures()), status);
        } else if (held != null) {
            LOG.info("{}: upstream {} answered {}; its copy is forgotten (not prefetched, and no signed directory held"
                    + " lists it)", e.key, upstream, status);
        }
    }
}
