package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.SignatureTwins;
import org.rproxy.core.testing.TestSigner;

/**
 * "The same signing" is the same signed content (the signature base), not the same signature
 * bytes: the held version's signing sent with its ECDSA twin (s replaced by n - s, which verifies
 * as well), or with its {@code Signature} field re-encoded (another dictionary member, a
 * parameter, the base64 padding left off), is still the version held, and an update carrying it
 * is a repeat, dropped before anything is rebuilt or verified. Compared by bytes, each encoding
 * was a new signing to rebuild, verify, store and hand on.
 */
class SameSigningTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String TARGET = "/networkmap/nm";

    private static Representation signed(TestSigner signer, Instant created) {
        return signer.sign(TARGET, "{\"network-map\":{}}", true, created, Duration.ofHours(1), 60);
    }

    private static ResponseVerifier verifier(TestSigner signer) {
        return new ResponseVerifier(List.of(signer.publicKey()), Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC));
    }

    private static List<HeaderField> withSignature(List<HeaderField> fields, UnaryOperator<String> change) {
        return fields.stream().map(f -> f.name().equals("signature") ? new HeaderField(f.name(), change.apply(f.value())) : f)
                .toList();
    }

    private static Verdict verify(ResponseVerifier v, Representation r, List<HeaderField> fields) {
        return v.verify(name -> SignatureEvent.get(fields, name), r.identity().body().unsafeArray(),
                Expectation.path(TARGET));
    }

    @Test
    void theTwinOfAnEcdsaSignatureVerifiesAndIsTheSameSigning() {
        TestSigner signer = new TestSigner(SignatureAlgorithm.ECDSA_P256_SHA256);
        Representation held = signed(signer, T0);
        List<HeaderField> fields = held.identity().headers();
        List<HeaderField> twin = SignatureTwins.twin(fields);
        assertNotEquals(SignatureEvent.get(fields, "signature"), SignatureEvent.get(twin, "signature"));
        assertFalse(SignatureTwins.highS(SignatureEvent.get(fields, "signature")), "the origin signs low S");
        assertTrue(SignatureTwins.highS(SignatureEvent.get(twin, "signature")));
        assertTrue(verify(verifier(signer), held, twin).valid(),
                "the high-S twin verifies: verifiers accept both (earlier origins sent either)");

        assertTrue(SignatureEvent.sameSigning(fields, twin));
        assertTrue(SignatureEvent.sameSigning(twin, fields));
        SignatureEvent event = SignatureTwins.twin(SignatureEvent.of(held));
        assertTrue(SignatureEvent.of(held).sameSigningAs(event));
        assertInstanceOf(UpdateApplier.Result.Repeated.class,
                new UpdateApplier(verifier(signer)).apply(TARGET, held, null, event));
    }

    @Test
    void aSignatureFieldReEncodedIsTheSameSigning() {
        TestSigner signer = new TestSigner();
        Representation held = signed(signer, T0);
        List<HeaderField> fields = held.identity().headers();
        ResponseVerifier v = verifier(signer);
        String sig = SignatureEvent.get(fields, "signature");
        assertTrue(sig.endsWith("=:"), "an Ed25519 signature's base64 ends with padding: " + sig);
        for (UnaryOperator<String> change : List.<UnaryOperator<String>>of(
                s -> s + ", other=:AAAA:",
                s -> s + ";p=1",
                s -> "alto=:" + s.substring("alto=:".length()).replace("=", ""))) {
            List<HeaderField> reencoded = withSignature(fields, change);
            assertNotEquals(sig, SignatureEvent.get(reencoded, "signature"));
            assertTrue(verify(v, held, reencoded).valid(), SignatureEvent.get(reencoded, "signature"));
            assertTrue(SignatureEvent.sameSigning(fields, reencoded), SignatureEvent.get(reencoded, "signature"));
            assertInstanceOf(UpdateApplier.Result.Repeated.class, new UpdateApplier(v).apply(TARGET, held, null,
                    new SignatureEvent(reencoded, null, 60)));
        }
    }

    @Test
    void anotherSigningOfTheSameBytesIsNotTheSame() {
        TestSigner signer = new TestSigner(SignatureAlgorithm.ECDSA_P256_SHA256);
        Representation held = signed(signer, T0);
        Representation renewed = signed(signer, T0.plusSeconds(1));
        assertEquals(held.identity().body(), renewed.identity().body());
        assertFalse(SignatureEvent.sameSigning(held.identity().headers(), renewed.identity().headers()));
        assertFalse(SignatureEvent.of(held).sameSigningAs(SignatureEvent.of(renewed)));
        UpdateApplier.Result r = new UpdateApplier(verifier(signer)).apply(TARGET, held, null,
                SignatureEvent.of(renewed));
        assertFalse(assertInstanceOf(UpdateApplier.Result.Applied.class, r).newBytes());
    }

    @Test
    void fieldsWithoutACheckableSignatureAreNeverTheSameSigning() {
        Representation held = signed(new TestSigner(), T0);
        List<HeaderField> fields = held.identity().headers();
        List<HeaderField> none = fields.stream().filter(f -> !f.name().equals("signature")).toList();
        assertFalse(SignatureEvent.sameSigning(none, none));
        List<HeaderField> garbled = withSignature(fields, s -> "alto=(");
        assertFalse(SignatureEvent.sameSigning(garbled, garbled));
        assertFalse(SignatureEvent.sameSigning(fields, garbled));
    }

    @Test
    void aChangeOfTheGzipSigningOrOfMaxAgeIsNotTheSameEvent() {
        TestSigner signer = new TestSigner(SignatureAlgorithm.ECDSA_P256_SHA256);
        SignatureEvent held = SignatureEvent.of(signed(signer, T0));
        SignatureEvent otherGzip = new SignatureEvent(held.identity(),
                SignatureEvent.of(signed(signer, T0.plusSeconds(1))).gzip(), held.maxAgeSeconds());
        assertFalse(held.sameSigningAs(otherGzip));
        assertFalse(held.sameSigningAs(new SignatureEvent(held.identity(), null, held.maxAgeSeconds())));
        assertFalse(held.sameSigningAs(new SignatureEvent(held.identity(), held.gzip(), held.maxAgeSeconds() + 1)));
        assertTrue(held.sameSigningAs(SignatureTwins.twin(held)));
    }
}
