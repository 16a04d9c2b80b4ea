package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.store.Representation.Revalidation.NONE;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.sign.VerifiedRepresentation.Refused;
import org.rproxy.core.sign.VerifiedRepresentation.Verified;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * A {@link VerifiedRepresentation} is made only by verifying: no code can construct one around
 * bytes nobody verified, its validity is its signature's, not the candidate's, and a tampered
 * variant never makes it in.
 */
class VerifiedRepresentationTest {
    private static final String MAP = "/networkmap/a";
    private static final Instant T0 = Instant.ofEpochSecond(1_800_000_000L);
    private static final Duration HOUR = Duration.ofHours(1);
    /** Public methods of core that give one: each a holder whose constructor needs one already made. */
    private static final List<String> GIVERS = List.of(
            "org.rproxy.core.bundle.SignedBundle.verified",
            "org.rproxy.core.sign.VerifiedRepresentation$Verified.copy",
            "org.rproxy.core.stream.UpdateApplier$Result$Applied.copy");

    private final TestSigner signer = new TestSigner();
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(signer.publicKey()),
            Clock.fixed(T0.plusSeconds(10), ZoneOffset.UTC));

    @Test
    void noCodeCanMakeOneButByVerifying() throws Exception {
        for (Constructor<?> c : VerifiedRepresentation.class.getDeclaredConstructors()) {
            assertTrue(Modifier.isPrivate(c.getModifiers()), c + ": a copy made without verifying");
        }
        assertTrue(Modifier.isFinal(VerifiedRepresentation.class.getModifiers()), "no subclass may stand in for one");
        for (Constructor<?> c : VerifiedRepresentation.SignedFields.class.getDeclaredConstructors()) {
            assertTrue(Modifier.isPrivate(c.getModifiers()), c + ": fields taken as verified without verifying");
        }
        assertTrue(Modifier.isFinal(VerifiedRepresentation.SignedFields.class.getModifiers()));
        List<String> found = new ArrayList<>();
        for (Class<?> type : CoreClasses.all()) {
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isPublic(type.getModifiers()) && !m.isSynthetic()
                        && m.getReturnType() == VerifiedRepresentation.class) {
                    found.add(type.getName() + "." + m.getName());
                }
            }
        }
        assertEquals(GIVERS.stream().sorted().toList(), found.stream().sorted().toList(),
                "a new public way to a VerifiedRepresentation: it must verify, or hand back one made so");
    }

    @Test
    void theValidityIsTheSignaturesNotTheCandidates() {
        Representation signed = signer.sign(MAP, "{}", true, T0, HOUR, 60);
        Representation relabelled = new Representation(signed.identity(), signed.gzip(), 30,
                T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(30)));
        Verified ok = assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP, relabelled));
        Representation r = ok.copy().representation();
        assertEquals(T0, r.created(), "created as signed, not as labelled");
        assertEquals(T0.plus(HOUR), r.expires(), "expires as signed, not as labelled");
        assertEquals(30, r.maxAgeSeconds(), "max-age is not signed: the caller's");
        assertSame(signed.gzip(), r.gzip());
        assertEquals(Outcome.VALID, ok.gzip());
        assertEquals(MAP, ok.copy().target());
        assertTrue(ok.copy().verifiedBy(verifier));
        assertFalse(ok.copy().verifiedBy(new ResponseVerifier(List.of(signer.publicKey()), verifier.clock())),
                "another verifier, even on the same keys, did not verify it");
    }

    @Test
    void anIdentityThatDoesNotVerifyIsRefusedAndItsGzipNeverMade() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", false, T0, HOUR, 60);
        Variant tampered = new Variant(Bytes.utf8("{\"a\":2}"), null, signed.identity().headers());
        assertRefused(Outcome.DIGEST_MISMATCH, tampered);
        Representation stranger = new TestSigner().sign(MAP, "{\"a\":1}", false, T0, HOUR, 60);
        assertRefused(Outcome.UNKNOWN_KEY, stranger.identity());
        assertEquals(Outcome.WRONG_RESOURCE, assertInstanceOf(Refused.class,
                VerifiedRepresentation.verify(verifier, "/networkmap/b", signed)).outcome());
        assertEquals(Outcome.ROLLBACK, assertInstanceOf(Refused.class, VerifiedRepresentation.verify(verifier, MAP,
                signed.identity(), () -> null, 60, T0.plusSeconds(1))).outcome());
    }

    @Test
    void aVariantIsCheckedUnderTheCodingItIsHeldAs() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        Variant gz = signed.gzip();
        assertRefused(Outcome.CODING_MISMATCH, gz); // the gzip variant held as the identity
        assertRefused(Outcome.CODING_MISMATCH, new Variant(gz.body(), null, gz.headers())); // its field says gzip
        List<HeaderField> unlabelled = gz.headers().stream().filter(h -> !h.name().equals("content-encoding")).toList();
        assertRefused(Outcome.CODING_MISMATCH, new Variant(gz.body(), null, unlabelled)); // gzip bytes, no field
    }

    @Test
    void aGzipVariantThatFailsOrRunsOutFirstIsLeftOut() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        Variant forged = new Variant(TestSigner.gzip(Bytes.utf8("{\"a\":2}")), "gzip", signed.gzip().headers());
        Verified bad = assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP,
                new Representation(signed.identity(), forged, 60, T0, T0.plus(HOUR))));
        assertEquals(Outcome.DIGEST_MISMATCH, bad.gzip());
        assertNull(bad.copy().representation().gzip(), "a gzip variant that does not verify is never held");

        Variant early = signer.sign(MAP, "{\"a\":1}", true, T0.minusSeconds(60), HOUR, 60).gzip();
        Verified shorter = assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP,
                new Representation(signed.identity(), early, 60, T0, T0.plus(HOUR))));
        assertEquals(Outcome.VALID, shorter.gzip());
        assertNull(shorter.copy().representation().gzip(), "its signature runs out before the identity's");
        assertNull(bad.copy().gzipWindow());
        assertNull(shorter.copy().gzipWindow(), "no window for a gzip variant left out");
    }

    /**
     * A gzip variant whose fields carry, beside the origin's, a signature a hop added over another
     * window (joined to the origin's lines, as an update stream carries them) is held with the window of the one
     * verified: the origin's, not unknown.
     */
    @Test
    void theGzipWindowIsTheOneOfTheSignatureVerifiedNotOfOneAddedOnTheWay() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        long later = T0.plus(HOUR).getEpochSecond();
        List<HeaderField> added = signed.gzip().headers().stream().map(f -> switch (f.name()) {
            case "signature-input" -> new HeaderField(f.name(), f.value() + ", alto-2=(\"content-type\");created="
                    + later + ";expires=" + (later + 86_400) + ";keyid=\"hop\";alg=\"ed25519\"");
            case "signature" -> new HeaderField(f.name(), f.value() + ", alto-2=:"
                    + java.util.Base64.getEncoder().encodeToString(new byte[64]) + ":");
            default -> f;
        }).toList();
        Variant gz = new Variant(signed.gzip().body(), "gzip", added);
        Verified ok = assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP,
                new Representation(signed.identity(), gz, 60, T0, T0.plus(HOUR))));
        assertSame(gz, ok.copy().representation().gzip());
        assertNull(SignatureWindow.read(n -> gz.header(n).orElse(null)), "its fields alone name no one window");
        assertEquals(new SignatureWindow(T0, T0.plus(HOUR)), ok.copy().gzipWindow());
    }

    @Test
    void fieldsVerifiedFirstAreCompletedByTheirBodyWithoutASecondSignatureCheck() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        List<HeaderField> labelled = new ArrayList<>(signed.identity().headers());
        labelled.add(new HeaderField("content-encoding", "gzip")); // not signed: left out, checked as identity
        VerifiedRepresentation.SignedFields fields = assertInstanceOf(VerifiedRepresentation.SignedFields.class,
                VerifiedRepresentation.verifyFields(verifier, MAP, labelled, null));
        assertEquals(1, verifier.signatureChecks());

        Verified ok = assertInstanceOf(Verified.class, fields.withBody(signed.identity().body(), signed::gzip, 30, NONE));
        Representation r = ok.copy().representation();
        assertEquals(signed.identity(), r.identity(), "the fields verified, without content-encoding, and the body");
        assertEquals(T0, r.created());
        assertEquals(T0.plus(HOUR), r.expires());
        assertSame(signed.gzip(), r.gzip());
        assertTrue(ok.copy().verifiedBy(verifier));
        assertEquals(2, verifier.signatureChecks(), "the identity's signature once, the gzip variant's once");
        assertEquals(NONE, r.revalidation());
        Verified strict = assertInstanceOf(Verified.class, fields.withBody(signed.identity().body(), () -> null, 30,
                Representation.Revalidation.EVERY_CACHE));
        assertEquals(Representation.Revalidation.EVERY_CACHE, strict.copy().representation().revalidation(),
                "held with the directive the update came with");

        // the body's checks, with a full verification's outcomes and reasons
        Variant tampered = new Variant(Bytes.utf8("{\"a\":2}"), null, signed.identity().headers());
        Refused full = assertInstanceOf(Refused.class, VerifiedRepresentation.verify(verifier, MAP, tampered,
                () -> null, 60, null));
        assertEquals(full, fields.withBody(tampered.body(), () -> null, 60, NONE));
        assertEquals(Outcome.DIGEST_MISMATCH, full.outcome());
        VerifiedRepresentation.SignedFields relabelled = assertInstanceOf(VerifiedRepresentation.SignedFields.class,
                VerifiedRepresentation.verifyFields(verifier, MAP, signed.gzip().headers(), null));
        assertEquals(Outcome.CODING_MISMATCH, assertInstanceOf(Refused.class,
                relabelled.withBody(signed.gzip().body(), () -> null, 60, NONE)).outcome(), "gzip bytes as the identity");

        Representation stranger = new TestSigner().sign(MAP, "{\"a\":1}", false, T0, HOUR, 60);
        assertEquals(Outcome.UNKNOWN_KEY, assertInstanceOf(Refused.class, VerifiedRepresentation.verifyFields(verifier,
                MAP, stranger.identity().headers(), null)).outcome());
        assertEquals(Outcome.ROLLBACK, assertInstanceOf(Refused.class, VerifiedRepresentation.verifyFields(verifier,
                MAP, signed.identity().headers(), T0.plusSeconds(1))).outcome());
    }

    /**
     * The signature's times are judged again at the clock of the body, as a verification of the
     * whole then would judge them: an update whose signature expires while its body is rebuilt is
     * refused as expired, in the words of that verification. Judged only when the fields were
     * checked, it was held as valid until the node's next look at its expiry.
     */
    @Test
    void aSignatureThatExpiresWhileTheBodyIsRebuiltIsRefusedAsAWholeVerificationThenRefusesIt() {
        MutableClock clock = new MutableClock(T0.plusSeconds(10));
        ResponseVerifier early = new ResponseVerifier(List.of(signer.publicKey()), clock);
        ResponseVerifier whole = new ResponseVerifier(List.of(signer.publicKey()), clock);
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        VerifiedRepresentation.SignedFields fields = assertInstanceOf(VerifiedRepresentation.SignedFields.class,
                VerifiedRepresentation.verifyFields(early, MAP, signed.identity().headers(), null));
        clock.advance(HOUR); // now T0 + 1 h + 10 s: past expires, T0 + 1 h

        Refused later = assertInstanceOf(Refused.class, fields.withBody(signed.identity().body(), signed::gzip, 60, NONE),
                "held as valid after its expiry");
        Refused full = assertInstanceOf(Refused.class, VerifiedRepresentation.verify(whole, MAP, signed.identity(),
                () -> null, 60, null));
        assertEquals(Outcome.EXPIRED, full.outcome(), full.reason());
        assertEquals(full, later, "the outcome and reason of a verification of the whole at that moment");
        assertEquals(1, early.signatureChecks(), "the fields' signature, not checked again");
    }

    @Test
    void aCodingFieldThatNamesTheCodingHeldIsNoMismatch() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        List<HeaderField> identity = new ArrayList<>(signed.identity().headers());
        identity.add(new HeaderField("content-encoding", "identity"));
        assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP,
                new Variant(signed.identity().body(), null, identity), () -> null, 60, null));
        List<HeaderField> upper = signed.gzip().headers().stream()
                .map(h -> h.name().equals("content-encoding") ? new HeaderField(h.name(), " GZIP") : h).toList();
        Verified gz = assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP, signed.identity(),
                () -> new Variant(signed.gzip().body(), "gzip", upper), 60, null));
        assertEquals(Outcome.VALID, gz.gzip());
    }

    /**
     * A coding field with a control character around the coding (an update stream's JSON can carry
     * any) names no coding: the gzip variant is left out and an identity variant refused, where
     * Java's {@code trim()} took it off and the variant was held with a value the front end
     * cannot write.
     */
    @Test
    void aCodingFieldWithControlCharactersNamesNoCoding() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        List<HeaderField> bad = signed.gzip().headers().stream()
                .map(h -> h.name().equals("content-encoding") ? new HeaderField(h.name(), "gzip\u000b") : h).toList();
        Verified gz = assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP, signed.identity(),
                () -> new Variant(signed.gzip().body(), "gzip", bad), 60, null));
        assertEquals(Outcome.CODING_MISMATCH, gz.gzip());
        assertNull(gz.copy().representation().gzip(), "a gzip variant whose field names no coding is not held");
        List<HeaderField> identity = new ArrayList<>(signed.identity().headers());
        identity.add(new HeaderField("content-encoding", "\r\nidentity"));
        Refused no = assertInstanceOf(Refused.class, VerifiedRepresentation.verify(verifier, MAP,
                new Variant(signed.identity().body(), null, identity), () -> null, 60, null));
        assertEquals(Outcome.CODING_MISMATCH, no.outcome(), no.reason());
        assertTrue(no.reason().contains("\\u000d\\u000aidentity"), no.reason());
    }

    /**
     * A field sent in several lines is read as one, joined (RFC 9110 §5.3), as a verifier that
     * receives the variant reads it: a second signature added on the way in a line of its own
     * before the origin's (a pull proxy keeps both lines) leaves the origin's verifying. Read by
     * its first line only, it was refused ("Signature has no member 'alto'").
     */
    @Test
    void aFieldInSeveralLinesIsReadAsOne() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", false, T0, HOUR, 60);
        List<HeaderField> fields = new ArrayList<>();
        for (HeaderField h : signed.identity().headers()) {
            if (h.name().equals("signature")) {
                fields.add(new HeaderField("signature", "hop=:AAAA:"));
            }
            fields.add(h);
        }
        assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP,
                new Variant(signed.identity().body(), null, fields), () -> null, 60, null));
    }

    /**
     * A coding field in several lines is read as one, as the variant's receivers read it: a gzip
     * variant whose second line names another coding was held on its first line alone, and sent on
     * with both ({@code gzip, br}), which every receiver refuses.
     */
    @Test
    void aCodingFieldInSeveralLinesIsReadAsOne() {
        Representation signed = signer.sign(MAP, "{\"a\":1}", true, T0, HOUR, 60);
        List<HeaderField> twoLines = new ArrayList<>(signed.gzip().headers());
        twoLines.add(new HeaderField("content-encoding", "br"));
        Verified gz = assertInstanceOf(Verified.class, VerifiedRepresentation.verify(verifier, MAP, signed.identity(),
                () -> new Variant(signed.gzip().body(), "gzip", twoLines), 60, null));
        assertEquals(Outcome.CODING_MISMATCH, gz.gzip());
        assertNull(gz.copy().representation().gzip());
    }

    private void assertRefused(Outcome expected, Variant identity) {
        Refused no = assertInstanceOf(Refused.class, VerifiedRepresentation.verify(verifier, MAP, identity, () -> {
            throw new AssertionError("the gzip variant is asked for only once the identity verified");
        }, 60, null));
        assertEquals(expected, no.outcome(), no.reason());
    }
}
