package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;

/** Every outcome of {@link ResponseVerifier}, provoked one at a time, plus freshening and fuzzing. */
class ResponseVerifierTest {
    private static final Instant CREATED = Instant.ofEpochSecond(1_700_000_000L);
    private static final Instant EXPIRES = CREATED.plus(Duration.ofHours(1));
    private static final Instant NOW = CREATED.plusSeconds(10);
    private static final String PATH = "/networkmap/default-network-map";
    private static final Expectation EXPECT = Expectation.path(PATH);
    private static final byte[] BODY = Jcs.canonicalize(("{\"meta\":{\"vtag\":{\"resource-id\":\"default-network-map\","
            + "\"tag\":\"da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785\"}},\"network-map\":{\"PID1\":{\"ipv4\":"
            + "[\"192.0.2.0/24\"]}}}").getBytes(StandardCharsets.UTF_8));

    private final SigningKey key = SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE);

    private static Map<String, String> signed(SigningKey key, byte[] body, Instant created, Instant expires) {
        Map<String, String> h = new HashMap<>();
        h.put("content-type", "application/alto-networkmap+json");
        h.put("content-digest", ContentDigest.sha256(body));
        h.put("etag", "\"da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785\"");
        h.put("alto-resource", AltoResource.of("default-network-map", PATH).toHeader());
        h.putAll(signatureHeaders(key, h, created, expires));
        return h;
    }

    private static Map<String, String> signatureHeaders(SigningKey key, Map<String, String> h, Instant created,
                                                        Instant expires) {
        SignatureHeaders s = new ResponseSigner(key).sign(h.get("content-type"), h.get("content-digest"),
                h.get("etag"), h.get("alto-resource"), created, expires);
        return Map.of("signature-input", s.signatureInput(), "signature", s.signature());
    }

    private Map<String, String> signed() {
        return signed(key, BODY, CREATED, EXPIRES);
    }

    private static ResponseVerifier verifier(SigningKey key, Instant now) {
        return new ResponseVerifier(List.of(key.publicKey()), Clock.fixed(now, ZoneOffset.UTC));
    }

    private Verdict verify(Map<String, String> headers, byte[] body, Expectation expect) {
        return verifier(key, NOW).verify(headers::get, body, expect);
    }

    private Verdict verify(Map<String, String> headers) {
        return verify(headers, BODY, EXPECT);
    }

    private static Map<String, String> with(Map<String, String> h, String name, String value) {
        Map<String, String> copy = new HashMap<>(h);
        if (value == null) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return copy;
    }

    private void assertOutcome(Outcome expected, Verdict v) {
        assertEquals(expected, v.outcome(), v.reason());
        assertFalse(v.reason().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void acceptsWhatTheSignerSigned(SignatureAlgorithm algorithm) {
        SigningKey k = TestKeys.fresh(algorithm);
        Verdict v = verifier(k, NOW).verify(signed(k, BODY, CREATED, EXPIRES)::get, BODY, EXPECT);
        assertOutcome(Outcome.VALID, v);
        assertTrue(v.valid());
        assertEquals(k.keyId(), v.keyId());
        assertEquals(AltoResource.of("default-network-map", PATH), v.resource());
        assertEquals(CREATED, v.created());
        assertEquals(EXPIRES, v.expires());
    }

    @Test
    void signatureInputHasTheFormOfDesignSection2() {
        assertEquals("alto=(\"content-type\" \"content-digest\" \"etag\" \"alto-resource\");created=1700000000;"
                + "expires=1700003600;keyid=\"" + key.keyId() + "\";alg=\"ed25519\";tag=\"alto-redist\"",
                signed().get("signature-input"));
        assertTrue(signed().get("signature").matches("alto=:[A-Za-z0-9+/]{86}==:"));
    }

    @Test
    void anyExpectationAcceptsAValidResponse() {
        assertOutcome(Outcome.VALID, verify(signed(), BODY, Expectation.NONE));
    }

    @Test
    void otherSignaturesBesideAltoAreIgnored() {
        Map<String, String> h = signed();
        h.put("signature-input", "sig1=(\"etag\");created=1, " + h.get("signature-input"));
        h.put("signature", "sig1=:AAAA:, " + h.get("signature"));
        assertOutcome(Outcome.VALID, verify(h));
    }

    @Test
    void noSignature() {
        assertOutcome(Outcome.NO_SIGNATURE, verify(with(signed(), "signature", null)));
        assertOutcome(Outcome.NO_SIGNATURE, verify(with(signed(), "signature-input", null)));
        Map<String, String> h = signed();
        h.put("signature-input", h.get("signature-input").replace("alto=", "other="));
        h.put("signature", h.get("signature").replace("alto=", "other="));
        assertOutcome(Outcome.NO_SIGNATURE, verify(h));
    }

    @Test
    void malformedFields() {
        Map<String, String> h = signed();
        String in = h.get("signature-input");
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", "alto=(\"etag\"")));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature", "alto=\"not bytes\"")));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", "alto=\"not a list\"")));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace(";expires=1700003600", ""))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace("created=1700000000",
                "created=\"1700000000\""))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace("expires=1700003600",
                "expires=1700000000"))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace(";alg=\"ed25519\"", ""))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace("alto-redist", "other"))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "alto-resource", "default-network-map")));
    }

    @Test
    void malformedCoverage() {
        Map<String, String> h = signed();
        String in = h.get("signature-input");
        assertOutcome(Outcome.MALFORMED, verify(with(h, "etag", null)));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace(" \"alto-resource\"", ""))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace("\"etag\"", "\"etag\" \"etag\""))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace("(", "(\"@status\" "))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "signature-input", in.replace("\"etag\"", "\"etag\";sf"))));
        assertOutcome(Outcome.MALFORMED, verify(with(h, "etag", "\"a\"\r\nX-Injected: 1")));
    }

    /**
     * A field is covered by its name in lower case (RFC 9421 §2.1): {@code "ETag"} is refused as
     * that, not reported missing from a response that has an ETag field (the header lookup is by
     * lower-case name), which sent whoever read the reason looking for a field that is there.
     */
    @Test
    void aComponentNameNotInLowerCaseIsRefusedAsThat() {
        Map<String, String> h = signed();
        Verdict v = verify(with(h, "signature-input", h.get("signature-input").replace("\"etag\"", "\"ETag\"")));
        assertOutcome(Outcome.MALFORMED, v);
        assertEquals("covered component \"ETag\" is not in lower case (RFC 9421 §2.1: a field is covered by its name"
                + " in lower case)", v.reason());
    }

    @Test
    void unknownKey() {
        Verdict v = verifier(TestKeys.fresh(SignatureAlgorithm.ED25519), NOW).verify(signed()::get, BODY, EXPECT);
        assertOutcome(Outcome.UNKNOWN_KEY, v);
        assertEquals(key.keyId(), v.keyId());
    }

    @Test
    void algorithmMismatch() {
        Map<String, String> h = signed();
        h.put("signature-input", h.get("signature-input").replace("\"ed25519\"", "\"ecdsa-p256-sha256\""));
        assertOutcome(Outcome.ALG_MISMATCH, verify(h));
    }

    @Test
    void badSignatureWhenACoveredValueOrParameterChanged() {
        assertOutcome(Outcome.BAD_SIGNATURE, verify(with(signed(), "etag", "\"other\"")));
        assertOutcome(Outcome.BAD_SIGNATURE, verify(with(signed(), "content-type", "application/json")));
        Map<String, String> h = signed();
        h.put("signature-input", h.get("signature-input").replace("expires=1700003600", "expires=1800000000"));
        assertOutcome(Outcome.BAD_SIGNATURE, verify(h));
        h = signed();
        char[] sig = h.get("signature").toCharArray();
        sig[10] = sig[10] == 'A' ? 'B' : 'A';
        h.put("signature", new String(sig));
        assertOutcome(Outcome.BAD_SIGNATURE, verify(h));
        assertOutcome(Outcome.BAD_SIGNATURE, verify(with(signed(), "signature", "alto=:AAAA:")));
    }

    @Test
    void digestMismatchWhenTheBodyChanged() {
        byte[] other = BODY.clone();
        other[other.length - 3] ^= 1;
        assertOutcome(Outcome.DIGEST_MISMATCH, verify(signed(), other, EXPECT));
    }

    @Test
    void codingMismatchWhenGzipBytesComeWithoutTheirContentEncoding() {
        // the signature covers the gzip variant's digest, not its content-encoding: a source that
        // drops the field would have a client take compressed bytes for the document
        byte[] gz = org.rproxy.core.codec.Gzip.deterministic(org.rproxy.core.model.Bytes.wrap(BODY)).unsafeArray();
        Map<String, String> gzipVariant = with(signed(key, gz, CREATED, EXPIRES), "content-encoding", "gzip");
        assertOutcome(Outcome.VALID, verify(gzipVariant, gz, EXPECT));
        Verdict stripped = verify(with(gzipVariant, "content-encoding", null), gz, EXPECT);
        assertOutcome(Outcome.CODING_MISMATCH, stripped);
        assertTrue(stripped.reason().contains("no Content-Encoding"), stripped.reason());
    }

    @Test
    void codingMismatchWhenGzipBytesAreRelabelledWithAnyOtherCoding() {
        // Content-Encoding is not signed: a source may write anything there, not only drop it
        byte[] gz = org.rproxy.core.codec.Gzip.deterministic(org.rproxy.core.model.Bytes.wrap(BODY)).unsafeArray();
        Map<String, String> gzipVariant = with(signed(key, gz, CREATED, EXPIRES), "content-encoding", "gzip");
        for (String coding : new String[] {"identity", "IDENTITY", "br", "x-gzip", "gzip, identity", "deflate"}) {
            assertOutcome(Outcome.CODING_MISMATCH, verify(with(gzipVariant, "content-encoding", coding), gz, EXPECT));
        }
        assertOutcome(Outcome.VALID, verify(with(gzipVariant, "content-encoding", " GZIP "), gz, EXPECT));
        assertOutcome(Outcome.CODING_MISMATCH, verify(with(signed(), "content-encoding", "br"), BODY, EXPECT));
    }

    /**
     * Content-Encoding is not signed, and an update stream carries it as any JSON string: only its
     * optional whitespace (SP and HTAB, RFC 9110 §5.6.3) is taken off before it is compared. A
     * control character around the coding (which Java's {@code trim()} also took off) left a
     * value that is no field value accepted as {@code gzip} or as none, held, and then refused by
     * the front end each time it wrote the variant.
     */
    @Test
    void codingMismatchWhenTheContentEncodingHoldsControlCharacters() {
        byte[] gz = org.rproxy.core.codec.Gzip.deterministic(org.rproxy.core.model.Bytes.wrap(BODY)).unsafeArray();
        Map<String, String> gzipVariant = signed(key, gz, CREATED, EXPIRES);
        for (String coding : new String[] {"gzip\r\n", "\r\ngzip", "gzip\u000b", "\u0000gzip", "gzip\u001f"}) {
            Verdict v = verify(with(gzipVariant, "content-encoding", coding), gz, EXPECT);
            assertOutcome(Outcome.CODING_MISMATCH, v);
            assertTrue(v.reason().chars().allMatch(c -> c >= 0x20 && c < 0x7f), v.reason());
        }
        for (String coding : new String[] {"\u0000", "\r\n", "identity\u000b", "\u000cidentity"}) {
            assertOutcome(Outcome.CODING_MISMATCH, verify(with(signed(), "content-encoding", coding), BODY, EXPECT));
        }
        assertOutcome(Outcome.VALID, verify(with(gzipVariant, "content-encoding", "\tgzip "), gz, EXPECT));
        assertOutcome(Outcome.VALID, verify(with(signed(), "content-encoding", " \t"), BODY, EXPECT));
    }

    @Test
    void codingMismatchWhenPlainBytesClaimGzip() {
        assertOutcome(Outcome.CODING_MISMATCH, verify(with(signed(), "content-encoding", "gzip"), BODY, EXPECT));
        assertOutcome(Outcome.VALID, verify(with(signed(), "content-encoding", "identity"), BODY, EXPECT));
    }

    @Test
    void wrongResource() {
        Verdict v = verify(signed(), BODY, Expectation.path("/costmap/default-cost-map"));
        assertOutcome(Outcome.WRONG_RESOURCE, v);
        assertEquals(PATH, v.resource().path());
    }

    @Test
    void expiredAtTheExpiryInstantAndAfter() {
        assertOutcome(Outcome.EXPIRED, verifier(key, EXPIRES).verify(signed()::get, BODY, EXPECT));
        assertOutcome(Outcome.VALID, verifier(key, EXPIRES.minusSeconds(1)).verify(signed()::get, BODY, EXPECT));
    }

    @Test
    void notYetValidBeyondTheAllowedSkew() {
        Instant now = CREATED.minus(ResponseVerifier.MAX_CLOCK_SKEW);
        assertOutcome(Outcome.VALID, verifier(key, now).verify(signed()::get, BODY, EXPECT));
        assertOutcome(Outcome.NOT_YET_VALID, verifier(key, now.minusSeconds(1)).verify(signed()::get, BODY, EXPECT));
    }

    @Test
    void rollbackWhenOlderThanWhatIsHeld() {
        assertOutcome(Outcome.ROLLBACK, verify(signed(), BODY, new Expectation(PATH, CREATED.plusSeconds(1))));
        assertOutcome(Outcome.VALID, verify(signed(), BODY, new Expectation(PATH, CREATED)));
    }

    @Test
    void theFirstFailingCheckWins() {
        // Bad signature and a wrong body and expired: the signature is reported.
        Verdict v = verifier(key, EXPIRES.plusSeconds(5)).verify(with(signed(), "etag", "\"x\"")::get, new byte[1],
                EXPECT);
        assertOutcome(Outcome.BAD_SIGNATURE, v);
        // Wrong body, wrong resource and expired: the digest is reported.
        v = verifier(key, EXPIRES.plusSeconds(5)).verify(signed()::get, new byte[1], Expectation.path("/x"));
        assertOutcome(Outcome.DIGEST_MISMATCH, v);
    }

    /** RFC 9111 §4.3.4: a 304 brings new signature headers for the body already held. */
    @Test
    void acceptsFreshSignatureHeadersOverAStoredBody() {
        Map<String, String> stored = signed();
        Instant later = EXPIRES.plus(Duration.ofMinutes(30)); // the stored signature has run out
        Instant renewed = later.minusSeconds(20);
        ResponseVerifier atLater = verifier(key, later);
        assertOutcome(Outcome.EXPIRED, atLater.verify(stored::get, BODY, EXPECT));

        // The origin re-signs the same four values; the 304 carries only the signature fields.
        Map<String, String> notModified = signatureHeaders(key, stored, renewed, renewed.plus(Duration.ofHours(1)));
        Map<String, String> merged = new HashMap<>(stored);
        merged.putAll(notModified);
        Verdict v = atLater.verify(merged::get, BODY, new Expectation(PATH, CREATED));
        assertOutcome(Outcome.VALID, v);
        assertEquals(renewed, v.created());
    }

    @Test
    void aFresheningForAnotherRepresentationDoesNotVerify() {
        Map<String, String> stored = signed();
        Map<String, String> other = new HashMap<>(stored);
        other.put("etag", "\"another-version\"");
        Map<String, String> merged = new HashMap<>(stored);
        merged.putAll(signatureHeaders(key, other, CREATED.plusSeconds(5), EXPIRES));
        assertOutcome(Outcome.BAD_SIGNATURE, verify(merged));
    }

    @Test
    void neverThrowsOnMangledHeaders() {
        SplittableRandom random = new SplittableRandom(9421);
        Map<String, String> good = signed();
        List<String> names = List.of("signature-input", "signature", "content-digest", "alto-resource", "etag");
        String alphabet = "\"();=:,* -_@?0123456789abcAZ+/\t\\\u00e9\u0000\n";
        for (int i = 0; i < 5_000; i++) {
            Map<String, String> h = new HashMap<>(good);
            String name = names.get(random.nextInt(names.size()));
            StringBuilder v = new StringBuilder(h.get(name));
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && v.length() > 0; e++) {
                int at = random.nextInt(v.length());
                switch (random.nextInt(3)) {
                    case 0 -> v.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> v.deleteCharAt(at);
                    default -> v.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            h.put(name, v.toString());
            Verdict verdict = verify(h);
            assertNotNull(verdict.outcome());
            assertFalse(verdict.reason().startsWith(ResponseVerifier.UNEXPECTED), verdict.reason());
        }
    }

    @Test
    void neverThrowsOnRandomText() {
        SplittableRandom random = new SplittableRandom(8941);
        for (int i = 0; i < 2_000; i++) {
            Map<String, String> h = new HashMap<>(signed());
            char[] junk = new char[random.nextInt(60)];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = (char) random.nextInt(0x20, 0x7f);
            }
            h.put(random.nextBoolean() ? "signature-input" : "signature", "alto=" + new String(junk));
            Verdict verdict = verify(h);
            assertFalse(verdict.valid());
            assertFalse(verdict.reason().startsWith(ResponseVerifier.UNEXPECTED), verdict.reason());
        }
    }

    @Test
    void aMutatedBodyIsNeverValid() {
        SplittableRandom random = new SplittableRandom(9530);
        Map<String, String> h = signed();
        for (int i = 0; i < 200; i++) {
            byte[] body = BODY.clone();
            body[random.nextInt(body.length)] ^= (byte) (1 + random.nextInt(255));
            assertOutcome(Outcome.DIGEST_MISMATCH, verify(h, body, EXPECT));
        }
    }
}
