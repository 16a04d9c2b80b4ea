package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;

import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;

/**
 * The reason a refused response is given names what is at fault, for whoever has to fix the
 * signer: which field lacks the {@code alto} member, which covered component is not supported or
 * covered twice, a signature in another encoding than RFC 9421's, a digest of the wrong length.
 * Each was refused before too, with a reason that did not say which.
 */
class VerifierReasonsTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    private static final String PATH = "/networkmap/nm";
    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

    private final SigningKey ecdsa = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256);

    private Verdict verify(Map<String, String> h) {
        return new ResponseVerifier(List.of(ecdsa.publicKey()), Clock.fixed(NOW, ZoneOffset.UTC))
                .verify(h::get, BODY, Expectation.path(PATH));
    }

    private Map<String, String> signed(String digest) {
        String resource = AltoResource.of("nm", PATH).toHeader();
        SignatureHeaders s = new ResponseSigner(ecdsa).sign("application/json", digest, "\"e\"", resource,
                NOW, NOW.plusSeconds(60));
        Map<String, String> h = new HashMap<>(Map.of("content-type", "application/json", "content-digest", digest,
                "etag", "\"e\"", "alto-resource", resource, "signature-input", s.signatureInput(),
                "signature", s.signature()));
        return h;
    }

    private static void assertReason(Outcome outcome, String[] words, Verdict v) {
        assertEquals(outcome, v.outcome(), v.reason());
        for (String w : words) {
            assertTrue(v.reason().contains(w), "'" + w + "' in: " + v.reason());
        }
    }

    @Test
    void aFieldOrLabelMissingIsNamed() {
        Map<String, String> h = signed(ContentDigest.sha256(BODY));
        assertEquals(Outcome.VALID, verify(h).outcome(), verify(h).reason());
        Map<String, String> noSignature = new HashMap<>(h);
        noSignature.put("signature", h.get("signature").replace("alto=", "other="));
        assertReason(Outcome.NO_SIGNATURE, new String[] {"Signature has no member 'alto'"}, verify(noSignature));
        Map<String, String> noInput = new HashMap<>(h);
        noInput.put("signature-input", h.get("signature-input").replace("alto=", "other="));
        assertReason(Outcome.NO_SIGNATURE, new String[] {"Signature-Input has no member 'alto'"}, verify(noInput));
        Map<String, String> withoutSignature = new HashMap<>(h);
        withoutSignature.remove("signature");
        assertReason(Outcome.NO_SIGNATURE, new String[] {"no Signature field"}, verify(withoutSignature));
        Map<String, String> withoutInput = new HashMap<>(h);
        withoutInput.remove("signature-input");
        assertReason(Outcome.NO_SIGNATURE, new String[] {"no Signature-Input field"}, verify(withoutInput));
    }

    @Test
    void aDerEncodedEcdsaSignatureIsToldToBeRAndS() throws IOException {
        Map<String, String> h = signed(ContentDigest.sha256(BODY));
        byte[] rs = Base64.getDecoder().decode(h.get("signature").substring("alto=:".length(),
                h.get("signature").length() - 1));
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 0, 32))));
        v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 32, 64))));
        byte[] der = new DERSequence(v).getEncoded(ASN1Encoding.DER);
        h.put("signature", "alto=:" + Base64.getEncoder().encodeToString(der) + ":");
        assertReason(Outcome.BAD_SIGNATURE, new String[] {der.length + " bytes", "64", "r||s", "DER"}, verify(h));
    }

    @Test
    void anUnsupportedOrRepeatedComponentIsToldApart() {
        Map<String, String> h = signed(ContentDigest.sha256(BODY));
        Map<String, String> derived = new HashMap<>(h);
        derived.put("signature-input", h.get("signature-input").replace("(\"content-type\"", "(\"@status\" \"content-type\""));
        assertReason(Outcome.MALFORMED, new String[] {"\"@status\"", "derived component", "not supported"},
                verify(derived));
        Map<String, String> twice = new HashMap<>(h);
        twice.put("signature-input", h.get("signature-input").replace("(\"content-type\"", "(\"etag\" \"content-type\""));
        assertReason(Outcome.MALFORMED, new String[] {"\"etag\"", "covered twice"}, verify(twice));
    }

    @Test
    void aDigestOfTheWrongLengthSaysSo() {
        Map<String, String> h = signed("sha-256=:AAAA:");
        assertReason(Outcome.DIGEST_MISMATCH, new String[] {"sha-256", "3 bytes", "expected: 32"}, verify(h));
        Map<String, String> sha512 = signed("sha-512=:" + Base64.getEncoder().encodeToString(new byte[32]) + ":");
        assertReason(Outcome.DIGEST_MISMATCH, new String[] {"sha-512", "32 bytes", "expected: 64"}, verify(sha512));
    }
}
