package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;

/**
 * Fuzzes {@link ResponseVerifier} (and through it {@link ParsedSignature}, {@link AltoResource},
 * {@link ContentDigest} and {@link SignatureBase}) with arbitrary responses. An input is a
 * response as text: header lines {@code name: value} (ISO-8859-1, as off the wire; a repeated
 * name is joined with {@code ", "}), an empty line, then the body bytes. The seeds are the
 * response of {@link #SIGNED} and {@link #BODY} as {@link ResponseSigner} signs it with the RFC 9421
 * test key for {@code created=1700000000} and one hour (Ed25519 signatures are deterministic, so
 * the file stays valid), and variations of it, which the fuzzer then mutates.
 *
 * <p>The contract: every input gets a {@link Verdict}, never an exception and never the
 * verifier's safety net (a reason starting with {@link ResponseVerifier#UNEXPECTED}, which means
 * a check threw); and a {@code VALID} verdict is only ever given to what the key really signed:
 * the body and the four covered field values of {@link #SIGNED}, the resource asked for, within
 * the validity period. Seeds: {@code ResponseVerifierFuzzTestInputs/<method>/}.
 */
class ResponseVerifierFuzzTest {
    private static final Instant CREATED = Instant.ofEpochSecond(1_700_000_000L);
    private static final Instant NOW = CREATED.plusSeconds(10);
    private static final String PATH = "/networkmap/default-network-map";
    private static final byte[] BODY = ("{\"meta\":{\"vtag\":{\"resource-id\":\"default-network-map\",\"tag\":\"1\"}},"
            + "\"network-map\":{\"PID1\":{\"ipv4\":[\"192.0.2.0/24\"]}}}").getBytes(StandardCharsets.UTF_8);
    private static final SigningKey KEY = SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE);
    private static final ResponseVerifier VERIFIER = new ResponseVerifier(List.of(KEY.publicKey()),
            Clock.fixed(NOW, ZoneOffset.UTC));
    /** The covered field values of the one response {@link #KEY} signed for this test. */
    private static final Map<String, String> SIGNED = Map.of(
            "content-type", "application/alto-networkmap+json",
            "content-digest", ContentDigest.sha256(BODY),
            "etag", "\"nm-1\"",
            "alto-resource", AltoResource.of("default-network-map", PATH).toHeader());

    @FuzzTest(maxDuration = "5m")
    void everyResponseGetsAVerdictAndOnlyTheSignedOneIsValid(byte[] input) {
        verifiedAndChecked(input);
    }

    /** The seeds reach the end of the checks: what the fuzzer starts from is a valid response. */
    @Test
    void theSignedSeedIsValidAndAMutatedBodyIsNot() throws IOException {
        assertEquals(Outcome.VALID, verifiedAndChecked(seed("signed")).outcome());
        assertEquals(Outcome.VALID, verifiedAndChecked(seed("signed-spaced-input-two-labels")).outcome());
        Verdict second = verifiedAndChecked(seed("signed-as-alto-2-beside-an-unknown-key"));
        assertEquals(Outcome.VALID, second.outcome(), second.reason());
        assertEquals(CREATED.plusSeconds(3600), second.expires(), "the window of alto-2, which verified, not of alto");
        assertEquals(Outcome.DIGEST_MISMATCH, verifiedAndChecked(seed("signed-other-body")).outcome());
        assertEquals(Outcome.CODING_MISMATCH, verifiedAndChecked(seed("signed-coding-with-control-character")).outcome());
    }

    private static byte[] seed(String name) throws IOException {
        String path = "ResponseVerifierFuzzTestInputs/everyResponseGetsAVerdictAndOnlyTheSignedOneIsValid/" + name;
        try (InputStream in = ResponseVerifierFuzzTest.class.getResourceAsStream(path)) {
            assertNotNull(in, path);
            return in.readAllBytes();
        }
    }

    private static Verdict verifiedAndChecked(byte[] input) {
        int split = indexOf(input, new byte[] {'\n', '\n'});
        String head = new String(input, 0, split < 0 ? input.length : split, StandardCharsets.ISO_8859_1);
        byte[] body = split < 0 ? new byte[0] : Arrays.copyOfRange(input, split + 2, input.length);
        Map<String, String> fields = fields(head);

        Verdict verdict = VERIFIER.verify(fields::get, body, Expectation.path(PATH));

        assertNotNull(verdict);
        assertFalse(verdict.reason().startsWith(ResponseVerifier.UNEXPECTED), verdict::reason);
        if (verdict.valid()) {
            assertArrayEquals(BODY, body, "a VALID verdict for a body that was not signed");
            for (Map.Entry<String, String> covered : SIGNED.entrySet()) {
                assertEquals(covered.getValue(), trimOws(fields.get(covered.getKey())),
                        "a VALID verdict for a " + covered.getKey() + " that was not signed");
            }
            String coding = fields.get("content-encoding");
            assertTrue(coding == null || trimOws(coding).isEmpty() || trimOws(coding).equalsIgnoreCase("identity"),
                    () -> "a VALID verdict for the identity body with content-encoding " + coding.chars()
                            .mapToObj(c -> String.format("%02x", c)).toList());
            assertEquals(PATH, verdict.resource().path());
            assertTrue(verdict.expires().isAfter(NOW), "VALID after expiry");
            assertEquals(KEY.keyId(), verdict.keyId());
        }
        return verdict;
    }

    private static Map<String, String> fields(String head) {
        Map<String, String> fields = new HashMap<>();
        for (String line : head.split("\n", -1)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1);
            fields.merge(name, value.startsWith(" ") ? value.substring(1) : value, (a, b) -> a + ", " + b);
        }
        return fields;
    }

    /** RFC 9421 §2.1: a component value loses leading and trailing spaces and tabs, nothing else. */
    private static String trimOws(String value) {
        return value.replaceAll("^[ \t]+|[ \t]+$", "");
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        for (int i = 0; i + pattern.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        return -1;
    }
}
