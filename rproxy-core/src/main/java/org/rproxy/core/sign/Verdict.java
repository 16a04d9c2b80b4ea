package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link ResponseVerifier} concluded about one response. Fields other than outcome and
 * reason are filled in as far as verification got: null when the check that failed came before
 * they were known.
 *
 * <p>Only a verifier makes verdicts: the constructor is this package's ({@link ResponseVerifier}),
 * so no code elsewhere can fabricate a {@link Outcome#VALID} one and hand it to whatever trusts a
 * verdict. The one public way to derive a verdict, {@link #expiredAt}, yields
 * {@link Outcome#EXPIRED} only (a verdict cache looking at a kept verdict again later, as the
 * harness's do).
 */
public final class Verdict {

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

    private final Outcome outcome;
    private final String reason;
    private final String keyId;
    private final AltoResource resource;
    private final Instant created;
    private final Instant expires;

    Verdict(Outcome outcome, String reason, String keyId, AltoResource resource, Instant created, Instant expires) {
        this.outcome = requireNonNull(outcome, "outcome");
        this.reason = requireNonNull(reason, "reason");
        this.keyId = keyId;
        this.resource = resource;
        this.created = created;
        this.expires = expires;
    }

    static Verdict fail(Outcome outcome, String reason) {
        return new Verdict(outcome, reason, null, null, null, null);
    }

    /**
     * This verdict as it stands at {@code now}, past its {@code expires}: {@link Outcome#EXPIRED},
     * with the same key, resource and times, whatever this one's outcome. It never gives
     * {@link Outcome#VALID}: for a cache of verdicts that checks a kept one against the clock again.
     */
    public Verdict expiredAt(Instant now) {
        requireNonNull(now, "now");
        return new Verdict(Outcome.EXPIRED, "expired at " + expires + " (now " + now + ")", keyId, resource, created,
                expires);
    }

    /** The first check that failed, or {@link Outcome#VALID}. */
    public Outcome outcome() {
        return outcome;
    }

    /** A short human-readable explanation, for logs and error bodies. */
    public String reason() {
        return reason;
    }

    /** The signature's {@code keyid}, or null. */
    public String keyId() {
        return keyId;
    }

    /** The parsed {@code alto-resource}, or null. */
    public AltoResource resource() {
        return resource;
    }

    /** The signature's {@code created}, or null. */
    public Instant created() {
        return created;
    }

    /** The signature's {@code expires}, or null. */
    public Instant expires() {
        return expires;
    }

    /** Whether every check passed. */
    public boolean valid() {
        return outcome == Outcome.VALID;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Verdict v && outcome == v.outcome && reason.equals(v.reason) && Objects.equals(keyId, v.keyId)
                && Objects.equals(resource, v.resource) && Objects.equals(created, v.created)
                && Objects.equals(expires, v.expires);
    }

    @Override
    public int hashCode() {
        return Objects.hash(outcome, reason, keyId, resource, created, expires);
    }

    @Override
    public String toString() {
        return "Verdict[outcome=" + outcome + ", reason=" + reason + ", keyId=" + keyId + ", resource=" + resource
                + ", created=" + created + ", expires=" + expires + "]";
    }
}
