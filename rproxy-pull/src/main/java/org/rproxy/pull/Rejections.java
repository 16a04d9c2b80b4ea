package org.rproxy.pull;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.rproxy.core.sign.Verdict.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every refused upstream answer by reason, and logs it once per resource and reason,
 * naming the upstream that sent it (an answer whose signature did not verify, and a pair of
 * verified answers that do not go together, {@link Mismatch}): a tampering upstream is reported without flooding the log on
 * every refresh. A resource that
 * verifies again is logged afresh next time it fails. Thread-safe.
 */
final class Rejections {
    private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);
    /** Targets remembered at most; beyond it, refusals of new targets are logged at debug only. */
    private static final int MAX_TARGETS = 10_000;

    /**
     * Why a pair of answers, each verified, cannot be held: the variants asked for one after the
     * other do not go together.
     */
    enum Mismatch {
        /** Identity was asked for (no usable gzip variant came) and a gzip answer came. */
        GZIP_FOR_IDENTITY("a gzip answer to a request for identity"),
        /** Asked for identity after a gzip answer: gzip again, or signed where the other is not (or the other way). */
        VARIANTS_APART("the identity answer does not match the gzip one");

        private final String reason;

        Mismatch(String reason) {
            this.reason = reason;
        }

        /** What a client's error and the log say. */
        String reason() {
            return reason;
        }
    }

    /**
     * What an operator reads after an unknown key: the usual cause is an origin that rotated its
     * key while this proxy was told only the old one, and nothing but its configuration mends that
     * once no directory it can verify teaches it the new one (docs/origin.md, "Key rotation").
     */
    static final String UNKNOWN_KEY_HINT = "; if the origin now signs with a new key (a key rotation),"
            + " add the origin's new public key to this proxy's trusted keys (upstream.trust in its config file,"
            + " or --trust NEW.pub beside the old one) and restart it: a proxy learns a new key by itself only"
            + " from a directory also signed by a key it trusts";

    private final PullMetrics metrics;
    /** Per target, the reasons logged ({@link Outcome}s and {@link Mismatch}es) since it last verified. */
    private final ConcurrentHashMap<String, Set<Enum<?>>> logged = new ConcurrentHashMap<>();

    Rejections(PullMetrics metrics) {
        this.metrics = metrics;
    }

    /** An answer from {@code upstream} (as {@link org.rproxy.core.upstream.UpstreamResponse#upstream} names it) refused. */
    void refused(CacheKey key, String upstream, Outcome outcome, String reason, boolean keptOldCopy) {
        metrics.verificationFailure(outcome);
        log(key, upstream, outcome, outcome + ": " + reason + (outcome == Outcome.UNKNOWN_KEY ? UNKNOWN_KEY_HINT : ""),
                keptOldCopy);
    }

    /**
     * Answers from {@code upstream} refused as a pair ({@code what}): each verified, so no
     * verification failure is counted (the attempt counts as rejected); logged like a refusal.
     */
    void mismatched(CacheKey key, String upstream, Mismatch what, boolean keptOldCopy) {
        log(key, upstream, what, what.reason(), keptOldCopy);
    }

    /** Logs {@code reason} once per target and {@code kind} until the target verifies again. */
    private void log(CacheKey key, String upstream, Enum<?> kind, String reason, boolean keptOldCopy) {
        if (logged.size() >= MAX_TARGETS && !logged.containsKey(key.target())) {
            LOG.debug("refused upstream answer for {} from {}: {}", key, upstream, reason);
            return;
        }
        Set<Enum<?>> seen = logged.computeIfAbsent(key.target(), t -> new HashSet<>());
        boolean first;
        synchronized (seen) {
            first = seen.add(kind);
        }
        if (first) {
            LOG.warn("refused upstream answer for {} from {}: {}{}", key, upstream, reason,
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
