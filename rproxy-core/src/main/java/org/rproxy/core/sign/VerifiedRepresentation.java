package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

import org.rproxy.core.model.Bytes;

import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * A representation whose variants a {@link ResponseVerifier} verified for a GET of one target,
 * carrying the validity its identity variant's signature gives, never a caller's. A part that
 * verified what it hands over (the push feed, to the pull proxy it is composed with) hands this,
 * and the taker need not verify it again when it was made by the verifier the taker trusts
 * ({@link #verifiedBy}); a {@link Representation} is anyone's to build, so a taker of one verifies
 * it ({@link #verify(ResponseVerifier, String, Representation)}).
 *
 * <p>Only verification makes one ({@link #verify}, or {@link #verifyFields} and then
 * {@link SignedFields#withBody}): the constructor is private and the class final, so no code
 * can fabricate one around bytes nobody verified (as no code outside this package can make a
 * {@link Verdict}). Immutable; any thread.
 */
public final class VerifiedRepresentation {

    /** What {@link #verify} concluded. */
    public sealed interface Check permits Verified, Refused {
    }

    /**
     * The identity variant verified: {@code copy} is what to hold.
     *
     * @param gzip the outcome of the gzip variant given, or null when none was: left out of
     *             {@code copy} unless {@link Outcome#VALID}, and also when its signature runs out
     *             before the identity's
     */
    public record Verified(VerifiedRepresentation copy, Outcome gzip) implements Check {
        public Verified {
            requireNonNull(copy, "copy");
        }
    }

    /** What {@link #verifyFields} concluded. */
    public sealed interface FieldsCheck permits SignedFields, Refused {
    }

    /** The identity variant did not verify: the first check that failed, and why. */
    public record Refused(Outcome outcome, String reason) implements Check, FieldsCheck {
        public Refused {
            requireNonNull(outcome, "outcome");
            requireNonNull(reason, "reason");
        }
    }

    private static final String CONTENT_ENCODING = "content-encoding";

    private final String target;
    private final Representation representation;
    private final ResponseVerifier verifier;
    private final SignatureWindow gzipWindow;
    private final String keyId;

    private VerifiedRepresentation(String target, Representation representation, ResponseVerifier verifier,
                                   SignatureWindow gzipWindow, String keyId) {
        this.target = target;
        this.representation = representation;
        this.verifier = verifier;
        this.gzipWindow = gzipWindow;
        this.keyId = keyId;
    }

    /**
     * Verifies {@code candidate}'s variants for a GET of {@code target} with {@code verifier}: its
     * {@code created} and {@code expires} are not taken (the identity's signature says them), its
     * {@code max-age} and {@code revalidation} are (the origin does not sign them; the latter can
     * only take stale windows away).
     */
    public static Check verify(ResponseVerifier verifier, String target, Representation candidate) {
        requireNonNull(candidate, "candidate");
        return verify(verifier, target, candidate.identity(), candidate::gzip, candidate.maxAgeSeconds(), null,
                candidate.revalidation());
    }

    /**
     * Verifies {@code identity}, and then the variant {@code gzip} gives (null for none), each for
     * a GET of {@code target} under the coding it is held as, since {@code Content-Encoding} is not
     * signed: a variant whose field names another coding than it is held as is refused
     * ({@link Outcome#CODING_MISMATCH}), so is an identity variant held as coded. The gzip variant
     * is asked for only once the identity verified (it may cost a compression), and left out when
     * it does not verify or its signature runs out first: the copy is served until the identity's
     * {@code expires}, and its gzip variant must not be served past its own.
     *
     * @param notBefore refuse an identity signed before this (a rollback), or null not to check
     */
    public static Check verify(ResponseVerifier verifier, String target, Variant identity, Supplier<Variant> gzip,
                               long maxAgeSeconds, Instant notBefore) {
        return verify(verifier, target, identity, gzip, maxAgeSeconds, notBefore, Representation.Revalidation.NONE);
    }

    /**
     * As {@link #verify(ResponseVerifier, String, Variant, Supplier, long, Instant)}, the copy held
     * with {@code revalidation} (the response it came in said it; not signed, it only takes stale
     * windows away).
     */
    public static Check verify(ResponseVerifier verifier, String target, Variant identity, Supplier<Variant> gzip,
                               long maxAgeSeconds, Instant notBefore, Representation.Revalidation revalidation) {
        requireNonNull(verifier, "verifier");
        requireNonNull(target, "target");
        requireNonNull(identity, "identity");
        requireNonNull(gzip, "gzip");
        Expectation expect = new Expectation(target, notBefore);
        Verdict id = identity.contentEncoding() != null
                ? Verdict.fail(Outcome.CODING_MISMATCH, "the identity variant is held as " + identity.contentEncoding())
                : check(verifier, identity, expect);
        if (!id.valid()) {
            return new Refused(id.outcome(), id.reason());
        }
        return verified(verifier, target, identity, id, gzip, maxAgeSeconds, expect, revalidation);
    }

    /**
     * Verifies the signed fields of an identity variant (the {@code Content-Encoding} field left
     * out: it is not signed, and the variant is held as identity) for a GET of {@code target} as
     * {@link ResponseVerifier#verifyFields} does, before its body is known: for a receiver that must
     * rebuild the body first (an update stream's merge patch), so that what fails here costs no
     * rebuilding. What passes is completed by {@link SignedFields#withBody}, which checks the body
     * against the digest these fields carry without checking their signature again.
     *
     * @param notBefore refuse fields signed before this (a rollback), or null not to check
     */
    public static FieldsCheck verifyFields(ResponseVerifier verifier, String target, List<HeaderField> fields,
                                           Instant notBefore) {
        requireNonNull(verifier, "verifier");
        requireNonNull(target, "target");
        List<HeaderField> signed = fields.stream().filter(f -> !f.name().equals(CONTENT_ENCODING)).toList();
        FieldsVerdict v = FieldsVerdict.of(verifier, lookup(signed), new Expectation(target, notBefore));
        return v.verdict().valid() ? new SignedFields(verifier, target, signed, v)
                : new Refused(v.verdict().outcome(), v.verdict().reason());
    }

    /**
     * An identity variant's signed fields that verified ({@link #verifyFields}), waiting for the
     * body they describe: a {@link FieldsVerdict} (the one mechanism for a body judged after its
     * fields) kept with the fields, so that what it completes is a {@link VerifiedRepresentation}.
     * Only {@link #verifyFields} makes one, so {@link #withBody} can take their signature as
     * checked. Immutable.
     */
    public static final class SignedFields implements FieldsCheck {
        private final ResponseVerifier verifier;
        private final String target;
        private final List<HeaderField> fields;
        private final FieldsVerdict verdict;

        private SignedFields(ResponseVerifier verifier, String target, List<HeaderField> fields,
                             FieldsVerdict verdict) {
            this.verifier = verifier;
            this.target = target;
            this.fields = fields;
            this.verdict = verdict;
        }

        /**
         * The identity variant of {@code body} with these fields, once {@code body} matches their
         * {@code content-digest}, is not gzip-coded and the signature is still valid at the
         * verifier's clock now ({@link FieldsVerdict#withBody}: the verdict
         * {@link ResponseVerifier#verify} gives at this moment, with the same outcomes and
         * reasons; a rebuild during which the signature expired is refused as expired), and then
         * the gzip variant {@code gzip} gives, verified in full, as {@link VerifiedRepresentation#verify} does.
         * The copy is held with {@code maxAgeSeconds} and {@code revalidation} as the update said
         * them (not signed; the latter can only take stale windows away).
         */
        public Check withBody(Bytes body, Supplier<Variant> gzip, long maxAgeSeconds,
                              Representation.Revalidation revalidation) {
            requireNonNull(body, "body");
            requireNonNull(gzip, "gzip");
            requireNonNull(revalidation, "revalidation");
            Verdict v = verdict.withBody(body.unsafeArray());
            if (!v.valid()) {
                return new Refused(v.outcome(), v.reason());
            }
            return verified(verifier, target, new Variant(body, null, fields), v, gzip, maxAgeSeconds,
                    verdict.expectation(), revalidation);
        }
    }

    /** The copy of {@code identity}, which verified as {@code id}, with the gzip variant {@code gzip} gives if it verifies. */
    private static Verified verified(ResponseVerifier verifier, String target, Variant identity, Verdict id,
                                     Supplier<Variant> gzip, long maxAgeSeconds, Expectation expect,
                                     Representation.Revalidation revalidation) {
        Variant gz = gzip.get();
        Verdict g = gz == null ? null : check(verifier, gz, expect);
        boolean keep = g != null && g.valid() && !g.expires().isBefore(id.expires());
        Representation r = new Representation(identity, keep ? gz : null, maxAgeSeconds, id.created(), id.expires(),
                revalidation);
        SignatureWindow gzWindow = keep ? new SignatureWindow(g.created(), g.expires()) : null;
        return new Verified(new VerifiedRepresentation(target, r, verifier, gzWindow, id.keyId()),
                g == null ? null : g.outcome());
    }

    /**
     * The value of each field by name, several lines of one joined with {@code ", "} (RFC 9110
     * §5.3), as a verifier that receives the variant reads it (a second {@code Signature} line
     * added on the way included), or null.
     */
    private static Function<String, String> lookup(List<HeaderField> fields) {
        return name -> {
            String value = null;
            for (HeaderField f : fields) {
                if (f.name().equals(name)) {
                    value = value == null ? f.value() : value + ", " + f.value();
                }
            }
            return value;
        };
    }

    /**
     * Whether the {@code Content-Encoding} field {@code named} says the coding {@code held}
     * (null: identity), in any case and with any optional whitespace around it, {@code identity}
     * being no coding; a control character around it names none ({@link ContentCoding#named}).
     */
    private static boolean names(String named, String held) {
        String n = ContentCoding.named(named).toLowerCase(Locale.ROOT);
        return n.equals(held == null ? "identity" : held) || held == null && n.isEmpty();
    }

    private static Verdict check(ResponseVerifier verifier, Variant v, Expectation expect) {
        Function<String, String> fields = lookup(v.headers());
        // every line of the field, as the variant's receivers read it: the first alone passed a
        // second line naming another coding, which the front end then sent on
        String named = fields.apply(CONTENT_ENCODING);
        if (named != null && !names(named, v.contentEncoding())) {
            return Verdict.fail(Outcome.CODING_MISMATCH, "content-encoding " + ContentCoding.printable(named)
                    + " on a variant held as " + (v.contentEncoding() == null ? "identity" : v.contentEncoding()));
        }
        return verifier.verify(n -> n.equals(CONTENT_ENCODING) ? v.contentEncoding() : fields.apply(n),
                v.body().unsafeArray(), expect);
    }

    /** The GET target the variants were verified for. */
    public String target() {
        return target;
    }

    /** The verified representation, with the identity signature's {@code created} and {@code expires}. */
    public Representation representation() {
        return representation;
    }

    /**
     * The {@code created} and {@code expires} of the signature the verifier checked in the gzip
     * variant, or null when there is none: its own validity, which a taker holds it with. Not read
     * from the variant's {@code Signature-Input}, where a proxy or cache in between may have added
     * a signature over another window beside the origin's (verifiers pass over it).
     */
    public SignatureWindow gzipWindow() {
        return gzipWindow;
    }

    /**
     * The {@code keyid} of the identity's signature the verifier checked: the key that vouches for
     * this copy. Not read from the variant's {@code Signature-Input}, which may name other keys in
     * members a proxy or cache in between added (verifiers pass over them).
     */
    public String keyId() {
        return keyId;
    }

    /**
     * Whether {@code verifier} is the one that verified this copy: the same instance, so the same
     * keys and clock. A verifier on other keys (anyone can make one) does not vouch for this
     * taker's.
     */
    public boolean verifiedBy(ResponseVerifier verifier) {
        return this.verifier == verifier;
    }

    @Override
    public String toString() {
        return "VerifiedRepresentation[" + target + ", created=" + representation.created() + ", expires="
                + representation.expires() + "]";
    }
}
