package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies an origin signature on a response (ARCHITECTURE.md §4), for the pull and push feeds before
 * they store anything and for clients. Checks run in a fixed order and the first failure wins:
 * presence, form, key, algorithm, signature, content digest, resource, expiry, clock skew,
 * rollback. Of several ALTO signatures (a directory signed during a key rotation), the first by
 * a key it trusts is the one checked, and the verdict is that signature's ({@link
 * AltoSignatures#pick}). The body is hashed once, and only after the (cheap) signature check
 * passed, so a forged 5 MB response costs no hashing.
 *
 * <p>A 304 freshening needs nothing special: the header function answers the new
 * {@code Signature}/{@code Signature-Input} and the stored content headers, and the stored body
 * is passed. Never throws on hostile input: every problem is a {@link Verdict}; an exception
 * the verifier did not expect refuses the response too, and is logged at ERROR (rate-limited) as
 * the bug it is. Thread-safe (its own state the rate limit of that log; the key set, a
 * {@link TrustedKeys}, is read in one volatile read and learns under its lock); feeds share one
 * instance.
 */
public final class ResponseVerifier {
    /** How far in the future {@code created} may be, for clocks that are not quite in step. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

    /** At most one line per this interval for the exceptions the safety net catches. */
    static final Duration BUG_LOG_INTERVAL = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(ResponseVerifier.class);
    private static final String VERIFY_BUG = "verifier bug: a response was refused as malformed because verify threw";
    private static final String FIELDS_BUG =
            "verifier bug: a response was refused as malformed because verifyFields threw";

    /** Prefix of the reason when the safety net caught an exception: a bug to report, not input to blame. */
    static final String UNEXPECTED = "unverifiable response: ";

    /**
     * What the caller expects of the response.
     *
     * @param path      the {@code alto-resource} path asked for, or null not to check it
     * @param notBefore reject signatures created before this (rollback), or null not to check
     */
    public record Expectation(String path, Instant notBefore) {
        public static final Expectation NONE = new Expectation(null, null);

        public static Expectation path(String path) {
            return new Expectation(requireNonNull(path, "path"), null);
        }
    }

    private final TrustedKeys trusted;
    private final Clock clock;
    private final RateLimitedLog bugs;
    private final LongAdder signatureChecks = new LongAdder();

    /**
     * Trusts {@code trusted} for good, and the keys of the directories it verifies itself
     * ({@link #learnKeys}).
     */
    public ResponseVerifier(Collection<VerificationKey> trusted, Clock clock) {
        this(new TrustedKeys(trusted), clock);
    }

    /**
     * Trusts what {@code trusted} holds at each verification: the set may learn keys meanwhile,
     * from its owner or through {@link #learnKeys}. The set stays its owner's: no method of the
     * verifier hands it out.
     */
    public ResponseVerifier(TrustedKeys trusted, Clock clock) {
        this(trusted, clock, System::nanoTime);
    }

    /** As above, with the intervals of the bug log told by {@code nanoTicker} (tests move their own). */
    ResponseVerifier(TrustedKeys trusted, Clock clock, LongSupplier nanoTicker) {
        this.trusted = requireNonNull(trusted, "trusted");
        this.clock = requireNonNull(clock, "clock");
        this.bugs = new RateLimitedLog(BUG_LOG_INTERVAL, nanoTicker, RateLimitedLog.SUBJECTS);
    }

    /** The clock expiry and skew are judged by. */
    public Clock clock() {
        return clock;
    }

    /**
     * The ids of the keys this verifier accepts now: a snapshot, which nobody can change and which
     * stays as it is when the set learns. The set itself is not handed out, since its
     * {@link TrustedKeys#learn} takes its caller's word that the directory was verified: whoever
     * held it could make every feed sharing this verifier trust any key.
     */
    public Set<String> trustedKeyIds() {
        return trusted.keyIds();
    }

    /** Signatures checked with a key so far, valid or not: public-key operations (ARCHITECTURE.md §4). */
    public long signatureChecks() {
        return signatureChecks.sum();
    }

    /**
     * Learns the origin's keys from its directory, verified here first: the response ({@code
     * header}, and {@code body} uncompressed) must be {@link Outcome#VALID} as the resource at
     * {@code path}, by this verifier's keys and clock, and then its keys are learnt as {@link
     * TrustedKeys#learnFrom} does (a directory older than the valid one learnt from last teaches
     * nothing). The one way to teach a verifier a key: only a key it trusts can introduce the
     * next. On the verifying thread.
     *
     * @param path the directory's path, which its {@code alto-resource} must name
     * @return true when the set changed; false when it did not, or the directory did not verify
     */
    public boolean learnKeys(Function<String, String> header, byte[] body, String path) {
        requireNonNull(path, "path");
        Verdict v = verify(header, body, Expectation.path(path));
        return v.valid() && trusted.learnFrom(Bytes.wrap(body), v.created(), v.expires(), clock.instant());
    }

    /**
     * As {@link #learnKeys(Function, byte[], String)}, not verifying {@code directory} again when
     * this verifier made it for {@code path} (one another verifier made is verified here first).
     */
    public boolean learnKeys(VerifiedRepresentation directory, String path) {
        Representation r = directory.representation();
        return directory.verifiedBy(this) && directory.target().equals(path)
                ? trusted.learnFrom(r.identity().body(), r.created(), r.expires(), clock.instant())
                : learnKeys(n -> r.identity().header(n).orElse(null), r.identity().body().unsafeArray(), path);
    }

    /**
     * @param header lower-case field name → field value (several lines joined with ", "), or null
     * @param body   the content as received (after no decoding: the digest covers the wire bytes)
     */
    public Verdict verify(Function<String, String> header, byte[] body, Expectation expect) {
        requireNonNull(header, "header");
        requireNonNull(body, "body");
        requireNonNull(expect, "expect");
        try {
            return check(header, body, expect);
        } catch (RuntimeException e) {
            // A safety net: nothing above is known to throw, but a verifier must not.
            return unexpected(VERIFY_BUG, e);
        }
    }

    /**
     * Checks {@code header} as {@link #verify} does, all but the body (still to be checked against
     * their {@code content-digest}): for a receiver that must rebuild the body first (an update
     * stream's merge patch), so that what fails here costs no rebuilding.
     */
    public Verdict verifyFields(Function<String, String> header, Expectation expect) {
        requireNonNull(header, "header");
        requireNonNull(expect, "expect");
        try {
            return check(header, null, expect);
        } catch (RuntimeException e) {
            return unexpected(FIELDS_BUG, e);
        }
    }

    /**
     * The safety net's verdict: the response is refused all the same, but the exception is a bug
     * (of the verifier, or of the caller's header function), not bad bytes from the source, so it
     * is logged at ERROR with its stack trace, at most once per {@link #BUG_LOG_INTERVAL} for each
     * of {@link #verify} and {@link #verifyFields} (the next line says how many were held back).
     */
    private Verdict unexpected(String format, RuntimeException e) {
        bugs.error(LOG, format, e);
        return Verdict.fail(Outcome.MALFORMED, UNEXPECTED + e);
    }

    /**
     * What the ALTO signatures in {@code header} sign: the signature base (RFC 9421 §2.5) of each,
     * {@code alto} first ({@link AltoSignatures}), or none when the fields hold no signature, or
     * one that could not be checked. Fields with the same bases are one signing whatever their
     * {@code Signature} values, which are not unique (an ECDSA twin, a re-encoded dictionary:
     * ARCHITECTURE.md §4); a signature added, dropped or changed beside another makes another
     * signing. Nothing is verified here.
     */
    public static List<SignatureBase> signedBases(Function<String, String> header) {
        requireNonNull(header, "header");
        String input = header.apply(SignatureHeaders.SIGNATURE_INPUT);
        String signature = header.apply(SignatureHeaders.SIGNATURE);
        if (input == null || signature == null) {
            return List.of();
        }
        try {
            List<AltoSignatures.Member> members = AltoSignatures.of(StructuredFields.parseDictionary(input),
                    StructuredFields.parseDictionary(signature));
            List<SignatureBase> out = new ArrayList<>(members.size());
            for (AltoSignatures.Member m : members) {
                ParsedSignature sig = ParsedSignature.parse(m.label(), m.input(), m.signature(), header);
                out.add(SignatureBase.of(sig.components(), sig.signatureParams()));
            }
            return List.copyOf(out);
        } catch (IllegalArgumentException e) { // a StructuredFieldException among them
            return List.of();
        }
    }

    /** @param body null to check the fields alone */
    private Verdict check(Function<String, String> header, byte[] body, Expectation expect) {
        String input = header.apply(SignatureHeaders.SIGNATURE_INPUT);
        String signature = header.apply(SignatureHeaders.SIGNATURE);
        if (input == null || signature == null) {
            return Verdict.fail(Outcome.NO_SIGNATURE, signature != null ? "no Signature-Input field"
                    : input != null ? "no Signature field" : "no Signature or Signature-Input field");
        }
        Map<String, Object> inputs;
        Map<String, Object> signatures;
        try {
            inputs = StructuredFields.parseDictionary(input);
        } catch (StructuredFieldException e) {
            return Verdict.fail(Outcome.MALFORMED, "signature-input: " + e.getMessage());
        }
        try {
            signatures = StructuredFields.parseDictionary(signature);
        } catch (StructuredFieldException e) {
            return Verdict.fail(Outcome.MALFORMED, "signature: " + e.getMessage());
        }
        AltoSignatures.Member m = AltoSignatures.pick(AltoSignatures.of(inputs, signatures), trusted);
        String label = m == null ? SignatureHeaders.LABEL : m.label();
        if (m == null || m.input() == null || m.signature() == null) {
            return Verdict.fail(Outcome.NO_SIGNATURE, (m == null || m.input() == null ? "Signature-Input" : "Signature")
                    + " has no member '" + label + "'");
        }
        ParsedSignature sig;
        try {
            sig = ParsedSignature.parse(label, m.input(), m.signature(), header);
        } catch (StructuredFieldException e) {
            return Verdict.fail(Outcome.MALFORMED, e.getMessage());
        }
        return checkSigned(sig, body, expect, header.apply("content-encoding"));
    }

    private Verdict checkSigned(ParsedSignature sig, byte[] body, Expectation expect, String contentEncoding) {
        VerificationKey key = trusted.find(sig.keyId());
        if (key == null) {
            return verdict(Outcome.UNKNOWN_KEY, "keyid " + sig.keyId() + " is not a trusted key", sig);
        }
        if (!key.algorithm().token().equals(sig.alg())) {
            return verdict(Outcome.ALG_MISMATCH, "alg " + sig.alg() + " but key " + sig.keyId() + " is "
                    + key.algorithm().token(), sig);
        }
        String shape = key.shapeProblem(sig.signature().length());
        if (shape != null) {
            return verdict(Outcome.BAD_SIGNATURE, shape, sig);
        }
        SignatureBase base = SignatureBase.of(sig.components(), sig.signatureParams());
        signatureChecks.increment();
        if (!key.verify(base.bytes(), sig.signature().unsafeArray())) {
            return verdict(Outcome.BAD_SIGNATURE, "signature does not verify with key " + sig.keyId(), sig);
        }
        if (body != null) {
            String mismatch = ContentDigest.mismatch(sig.contentDigest(), body, 0, body.length);
            if (mismatch != null) {
                return verdict(Outcome.DIGEST_MISMATCH, mismatch, sig);
            }
            String coding = ContentCoding.mismatch(contentEncoding, body);
            if (coding != null) {
                return verdict(Outcome.CODING_MISMATCH, coding, sig);
            }
        }
        if (expect.path() != null && !expect.path().equals(sig.resource().path())) {
            return verdict(Outcome.WRONG_RESOURCE, "signed for " + sig.resource().path() + ", asked for "
                    + expect.path(), sig);
        }
        return ValidityChecks.at(sig.keyId(), sig.resource(), sig.created(), sig.expires(), clock.instant(),
                expect.notBefore());
    }

    private static Verdict verdict(Outcome outcome, String reason, ParsedSignature sig) {
        return new Verdict(outcome, reason, sig.keyId(), sig.resource(), sig.created(), sig.expires());
    }
}
