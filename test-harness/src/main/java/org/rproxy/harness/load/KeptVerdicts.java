package org.rproxy.harness.load;

import java.time.Instant;

import org.rproxy.core.sign.Verdict;

/**
 * How the harness's caches of verdicts ({@link VerdictCache} for viewers, the update stream
 * subscribers' signature checks) answer a hit: a verdict kept is judged by the clock again, as a
 * full verification would judge it now. Stateless.
 */
public final class KeptVerdicts {

    private KeptVerdicts() {
    }

    /** {@code kept} at {@code now}: a valid one whose {@code expires} is not after {@code now} is EXPIRED, any other itself. */
    public static Verdict asOf(Verdict kept, Instant now) {
        if (kept.valid() && !kept.expires().isAfter(now)) {
            return kept.expiredAt(now);
        }
        return kept;
    }
}
