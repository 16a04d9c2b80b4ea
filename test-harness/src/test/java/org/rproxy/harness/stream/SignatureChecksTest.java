package org.rproxy.harness.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict.Outcome;

/**
 * Every subscriber's bytes are digested; the signature over the same fields is verified once and
 * shared; anything that differs (bytes, a field, the signature) gets no shared verdict.
 */
class SignatureChecksTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
    private static final String PATH = "/costmap/rc";
    private static final byte[] BODY = "{\"cost-map\":{\"P1\":{\"P2\":5}}}".getBytes(StandardCharsets.UTF_8);

    private static Map<String, String> signed(byte[] body) {
        String digest = ContentDigest.sha256(body);
        Map<String, String> h = new HashMap<>();
        h.put("content-type", "application/alto-costmap+json");
        h.put("content-digest", digest);
        h.put("etag", "\"v1\"");
        h.put("alto-resource", AltoResource.of("rc", PATH).toHeader());
        SignatureHeaders s = new ResponseSigner(KEY).sign(h.get("content-type"), digest, h.get("etag"),
                h.get("alto-resource"), NOW, NOW.plus(Duration.ofHours(1)));
        h.put("signature-input", s.signatureInput());
        h.put("signature", s.signature());
        return h;
    }

    private static SignatureChecks checks(Instant now) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        return new SignatureChecks(new ResponseVerifier(List.of(KEY.publicKey()), clock), clock);
    }

    @Test
    void manySubscribersWithTheSameUpdateShareOneSignatureVerificationButEachDigests() {
        SignatureChecks c = checks(NOW.plusSeconds(5));
        Map<String, String> h = signed(BODY);
        for (int i = 0; i < 1_000; i++) {
            assertTrue(c.check(PATH, h::get, BODY.clone()).valid());
        }
        assertEquals(1, c.fullVerifications());
        assertEquals(1_000, c.digestChecks());
    }

    @Test
    void bytesThatDoNotMatchTheSignedDigestGetNoVerdict() {
        SignatureChecks c = checks(NOW.plusSeconds(5));
        Map<String, String> h = signed(BODY);
        assertTrue(c.check(PATH, h::get, BODY).valid());
        byte[] bad = BODY.clone();
        bad[5] ^= 1;
        assertNull(c.check(PATH, h::get, bad));
    }

    @Test
    void aChangedFieldOrSignatureOrPathIsVerifiedOnItsOwn() {
        SignatureChecks c = checks(NOW.plusSeconds(5));
        Map<String, String> h = signed(BODY);
        assertTrue(c.check(PATH, h::get, BODY).valid());
        Map<String, String> otherTag = new HashMap<>(h);
        otherTag.put("etag", "\"v2\"");
        assertEquals(Outcome.BAD_SIGNATURE, c.check(PATH, otherTag::get, BODY).outcome());
        Map<String, String> otherSignature = new HashMap<>(h);
        otherSignature.put("signature", signed("{}".getBytes(StandardCharsets.UTF_8)).get("signature"));
        assertEquals(Outcome.BAD_SIGNATURE, c.check(PATH, otherSignature::get, BODY).outcome());
        assertEquals(Outcome.WRONG_RESOURCE, c.check("/costmap/other", h::get, BODY).outcome());
        assertEquals(4, c.fullVerifications());
    }

    @Test
    void aSharedVerdictStillExpires() {
        Instant[] now = {NOW.plusSeconds(5)};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        SignatureChecks c = new SignatureChecks(new ResponseVerifier(List.of(KEY.publicKey()), clock), clock);
        Map<String, String> h = signed(BODY);
        assertTrue(c.check(PATH, h::get, BODY).valid());
        now[0] = NOW.plus(Duration.ofHours(2));
        assertEquals(Outcome.EXPIRED, c.check(PATH, h::get, BODY).outcome());
        assertEquals(1, c.fullVerifications(), "the shared verdict, checked again against the clock");
    }
}
