package org.rproxy.core.sign;

import org.rproxy.core.sign.Verdict.Outcome;

/**
 * For tests of what code does with a refusal (in core's test jar, so never on a product's class
 * path): a {@link Verdict} of any outcome but {@link Outcome#VALID}, as a verifier gives one that
 * failed before it knew the key, the resource or the times. Only a verifier vouches for a response.
 */
public final class FailedVerdicts {

    private FailedVerdicts() {
    }

    /**
     * A verdict that failed with {@code outcome} for {@code reason}.
     *
     * @throws IllegalArgumentException for {@link Outcome#VALID}
     */
    public static Verdict of(Outcome outcome, String reason) {
        if (outcome == Outcome.VALID) {
            throw new IllegalArgumentException("outcome: VALID (only a verifier makes a VALID verdict)");
        }
        return Verdict.fail(outcome, reason);
    }
}
