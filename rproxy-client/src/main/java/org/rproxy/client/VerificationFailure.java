package org.rproxy.client;

import org.rproxy.core.sign.Verdict;

/**
 * What is wrong with a response that does not verify ({@link ClientException.InvalidResponse#failure()}):
 * the first of the verifier's checks it failed, in the order they are made. A copy that verifies but
 * is not valid at this client's clock is a {@link ClientException.OutsideValidity}, and one older
 * than the version held a {@link ClientException.Rollback}, not one of these.
 */
public enum VerificationFailure {
    /** No {@code Signature} or {@code Signature-Input}, or no signature labelled {@code alto}. */
    NO_SIGNATURE,
    /** Signature fields that cannot be parsed, or lack a parameter or a covered component. */
    MALFORMED,
    /** Signed with a key this client does not trust. */
    UNKNOWN_KEY,
    /** The signature's {@code alg} is not the algorithm of the trusted key it names. */
    ALG_MISMATCH,
    /** The signature does not verify: the signed fields were changed, or it was forged. */
    BAD_SIGNATURE,
    /** The {@code Content-Digest} does not match the body: the body was changed. */
    DIGEST_MISMATCH,
    /** The body's content coding and its {@code Content-Encoding} disagree (gzip bytes relabelled, say). */
    CODING_MISMATCH,
    /** Signed for another resource or path than the one asked for. */
    WRONG_RESOURCE;

    /**
     * The failure of a verdict that refuses a response for what it is; null for one that verified,
     * or failed only on time or on the version held (those are other kinds of refusal).
     */
    static VerificationFailure of(Verdict.Outcome outcome) {
        return switch (outcome) {
            case NO_SIGNATURE -> NO_SIGNATURE;
            case MALFORMED -> MALFORMED;
            case UNKNOWN_KEY -> UNKNOWN_KEY;
            case ALG_MISMATCH -> ALG_MISMATCH;
            case BAD_SIGNATURE -> BAD_SIGNATURE;
            case DIGEST_MISMATCH -> DIGEST_MISMATCH;
            case CODING_MISMATCH -> CODING_MISMATCH;
            case WRONG_RESOURCE -> WRONG_RESOURCE;
            case EXPIRED, NOT_YET_VALID, ROLLBACK, VALID -> null;
        };
    }
}
