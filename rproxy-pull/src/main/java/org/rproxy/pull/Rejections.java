package org.rproxy.pull;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.rproxy.core.sign.Verdict.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every refused upstream answer by reason, and logs it once per resource and reason,
 * naming the upstream that sent it: a tampering upstream is reported without flooding the log on
 * every refresh. A resource that
 * verifies again is logged afresh next time it fails. Thread-safe.
 */
final class Rejections {
    private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);
    /** Targets remembered at most; beyond it, refusals of new targets are logged at debug only. */
    private static final int MAX_TARGETS = 10_000;

    private final PullMetrics metrics;
    private final ConcurrentHashMap<String, Set<Outcome>> logged = new ConcurrentHashMap<>();

    Rejections(PullMetrics metrics) {
        this.metrics = metrics;
    }

    /** An answer from {@code upstream} (as {@link org.rproxy.core.upstream.UpstreamResponse#upstream} names it) refused. */
    void refused(CacheKey key, String upstream, Outcome outcome, String reason, boolean keptOldCopy) {
        metrics.verificationFailure(outcome);
        if (logged.size() >= MAX_TARGETS && !logged.containsKey(key.target())) {
            LOG.debug("refused upstream answer for {} from {}: {}: {}", key, upstream, outcome, reason);
            return;
        }
        Set<Outcome> seen = logged.computeIfAbsent(key.target(), t -> EnumSet.noneOf(Outcome.class));
        boolean first;
        synchronized (seen) {
            first = seen.add(outcome);
        }
        if (first) {
            LOG.warn("refused upstream answer for {} from {}: {}: {}{}", key, upstream, outcome, reason,
                    keptOldCopy ? " (the previous copy stays)" : "");
        }
    }

    /**
     * A gzip answer refused while the identity variant is asked for in its stead: counted like any
     * refusal, logged at debug only, since the identity variant then verifying clears what was
     * logged, and a warning would come again at every revalidation.
     */
    void gzipRefused(CacheKey key, String upstream, Outcome outcome, String reason) {
        metrics.verificationFailure(outcome);
        LOG.debug("refused upstream gzip answer for {} from {}, asking for identity: {}: {}", key, upstream, outcome,
                reason);
    }

    void accepted(CacheKey key) {
        if (!logged.isEmpty()) {
            logged.remove(key.target());
        }
    }
}
