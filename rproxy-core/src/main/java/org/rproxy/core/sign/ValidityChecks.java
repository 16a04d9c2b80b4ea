package org.rproxy.core.sign;

import java.time.Instant;

import org.rproxy.core.sign.Verdict.Outcome;

/**
 * The last checks of a verification, on the signature's times alone: expiry, clock skew, rollback,
 * in that order. Kept apart so that a body checked later than its fields ({@link FieldsVerdict})
 * is judged on the clock of that moment, as a verification of the whole then would judge it, in
 * the same words. Stateless.
 */
final class ValidityChecks {

    private ValidityChecks() {
    }

    /**
     * The verdict on a signature whose every other check passed, at {@code now}: {@link
     * Outcome#VALID} unless it has expired, was created more than {@link
     * ResponseVerifier#MAX_CLOCK_SKEW} ahead of {@code now}, or before {@code notBefore} (null: no
     * floor).
     */
    static Verdict at(String keyId, AltoResource resource, Instant created, Instant expires, Instant now,
                      Instant notBefore) {
        if (!expires.isAfter(now)) {
            return new Verdict(Outcome.EXPIRED, "expired at " + expires + " (now " + now + ")", keyId, resource,
                    created, expires);
        }
        if (created.isAfter(now.plus(ResponseVerifier.MAX_CLOCK_SKEW))) {
            return new Verdict(Outcome.NOT_YET_VALID, "created " + created + " is in the future (now " + now + ")",
                    keyId, resource, created, expires);
        }
        if (notBefore != null && created.isBefore(notBefore)) {
            return new Verdict(Outcome.ROLLBACK, "created " + created + " is older than the held " + notBefore, keyId,
                    resource, created, expires);
        }
        return new Verdict(Outcome.VALID, "valid, signed by " + keyId, keyId, resource, created, expires);
    }
}
