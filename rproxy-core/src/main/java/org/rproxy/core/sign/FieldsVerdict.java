package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.function.Function;

import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;

/**
 * A verifier's verdict on a response's signed fields, reached before its body is known (an update
 * stream's merge patch is applied only once its fields passed), kept with what the body is judged
 * by later: the {@code content-digest} and {@code content-encoding} values the verifier read. So
 * the body, once rebuilt, costs a hash, not a second signature check: {@link #withBody} gives the
 * verdict {@link ResponseVerifier#verify} gives for those fields and that body at that moment,
 * the same outcome in the same words, without checking the signature again.
 *
 * <p>Only {@link #of} makes one, through the verifier, so a verdict is never paired with fields it
 * was not reached on. A receiver that words refusals by the {@link Verdict}, with its times, uses
 * it as it is; {@link VerifiedRepresentation.SignedFields} is built on it for a receiver that
 * holds a {@link VerifiedRepresentation}, so both judge a body after its fields alike.
 * Immutable; any thread.
 */
public final class FieldsVerdict {
    private static final String CONTENT_ENCODING = "content-encoding";

    private final Verdict verdict;
    private final Clock clock;
    private final Expectation expect;
    private final String contentDigest;
    private final String contentEncoding;

    private FieldsVerdict(Verdict verdict, Clock clock, Expectation expect, String contentDigest,
                          String contentEncoding) {
        this.verdict = verdict;
        this.clock = clock;
        this.expect = expect;
        this.contentDigest = contentDigest;
        this.contentEncoding = contentEncoding;
    }

    /**
     * Checks {@code header} with {@code verifier} as {@link ResponseVerifier#verifyFields} does
     * (one signature check), keeping the field values the body will be judged by as the verifier
     * read them (each read once, inside the verifier's own safety net).
     *
     * @param header lower-case field name → field value, or null
     */
    public static FieldsVerdict of(ResponseVerifier verifier, Function<String, String> header, Expectation expect) {
        requireNonNull(verifier, "verifier");
        requireNonNull(header, "header");
        requireNonNull(expect, "expect");
        String[] read = new String[2];
        // the last value read of each is the one the verifier went by (ParsedSignature's digest, the coding)
        Verdict v = verifier.verifyFields(name -> {
            String value = header.apply(name);
            if (name.equals(SignatureHeaders.CONTENT_DIGEST)) {
                read[0] = value;
            } else if (name.equals(CONTENT_ENCODING)) {
                read[1] = value;
            }
            return value;
        }, expect);
        return new FieldsVerdict(v, verifier.clock(), expect, read[0], read[1]);
    }

    /** The verdict on the fields alone: every check but the body's. */
    public Verdict verdict() {
        return verdict;
    }

    /** What the fields were checked for (the target, the rollback floor): the body is judged by it too. */
    Expectation expectation() {
        return expect;
    }

    /**
     * The verdict on the fields with {@code body}, the bytes as received or rebuilt: the body's
     * checks (its digest, then its coding), then the times again at the verifier's clock now, as
     * {@link ResponseVerifier#verify} would make them, no signature checked.
     *
     * @throws IllegalStateException when the fields did not verify ({@link #verdict()}): a full
     *                               verification might then have failed on the body first
     */
    public Verdict withBody(byte[] body) {
        requireNonNull(body, "body");
        if (!verdict.valid()) {
            throw new IllegalStateException("the fields did not verify: " + verdict);
        }
        String mismatch = ContentDigest.mismatch(contentDigest, body, 0, body.length);
        if (mismatch != null) {
            return failed(Outcome.DIGEST_MISMATCH, mismatch);
        }
        String coding = ContentCoding.mismatch(contentEncoding, body);
        if (coding != null) {
            return failed(Outcome.CODING_MISMATCH, coding);
        }
        return ValidityChecks.at(verdict.keyId(), verdict.resource(), verdict.created(), verdict.expires(),
                clock.instant(), expect.notBefore());
    }

    private Verdict failed(Outcome outcome, String reason) {
        return new Verdict(outcome, reason, verdict.keyId(), verdict.resource(), verdict.created(), verdict.expires());
    }
}
