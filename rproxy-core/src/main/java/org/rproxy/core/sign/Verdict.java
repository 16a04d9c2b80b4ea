package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What {@link ResponseVerifier} concluded about one response. Fields other than outcome and
 * reason are filled in as far as verification got: null when the check that failed came before
 * they were known.
 *
 * @param outcome  the first check that failed, or {@link Outcome#VALID}
 * @param reason   a short human-readable explanation, for logs and error bodies
 * @param keyId    the signature's {@code keyid}, or null
 * @param resource the parsed {@code alto-resource}, or null
 * @param created  the signature's {@code created}, or null
 * @param expires  the signature's {@code expires}, or null
 */
public record Verdict(Outcome outcome, String reason, String keyId, AltoResource resource, Instant created,
                      Instant expires) {

    /** The outcome of each check, in the order they are made; the first failure wins. */
    public enum Outcome {
        /** No {@code Signature}/{@code Signature-Input}, or no {@code alto} label. */
        NO_SIGNATURE,
        /** Unparsable fields, missing parameters or components, wrong tag or coverage. */
        MALFORMED,
        /** {@code keyid} is not one of the trusted keys. */
        UNKNOWN_KEY,
        /** {@code alg} disagrees with the trusted key's algorithm. */
        ALG_MISMATCH,
        /** The signature does not verify over the signature base. */
        BAD_SIGNATURE,
        /** {@code content-digest} does not match the body. */
        DIGEST_MISMATCH,
        /**
         * The body's content coding and its {@code Content-Encoding} disagree: gzip bytes with no
         * such field (a source stripped it; the signature does not cover it, the digest is over
         * the coded bytes), or the field on bytes that are not gzip.
         */
        CODING_MISMATCH,
        /** {@code alto-resource} names another path than the one asked for. */
        WRONG_RESOURCE,
        /** {@code expires} is not in the future. */
        EXPIRED,
        /** {@code created} is more than the allowed skew in the future. */
        NOT_YET_VALID,
        /** Older (by {@code created}) than what the caller already holds. */
        ROLLBACK,
        VALID
    }

    public Verdict {
        requireNonNull(outcome, "outcome");
        requireNonNull(reason, "reason");
    }

    static Verdict fail(Outcome outcome, String reason) {
        return new Verdict(outcome, reason, null, null, null, null);
    }

    public boolean valid() {
        return outcome == Outcome.VALID;
    }
}
