package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict.Outcome;

class VerdictCacheTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
    private static final byte[] BODY = "{\"network-map\":{}}".getBytes(StandardCharsets.UTF_8);

    private static Map<String, String> signed(byte[] body, String path) throws Exception {
        String digest = "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body)) + ":";
        Map<String, String> h = new HashMap<>();
        h.put("content-type", "application/alto-networkmap+json");
        h.put("content-digest", digest);
        h.put("etag", "\"abc\"");
        h.put("alto-resource", AltoResource.of("net", path).toHeader());
        SignatureHeaders s = new ResponseSigner(KEY).sign(h.get("content-type"), digest, h.get("etag"),
                h.get("alto-resource"), NOW, NOW.plus(Duration.ofHours(1)));
        h.put("signature-input", s.signatureInput());
        h.put("signature", s.signature());
        return h;
    }

    private static VerdictCache cache(Clock clock) {
        return new VerdictCache(new ResponseVerifier(List.of(KEY.publicKey()), clock), clock);
    }

    private static ByteBuf buf(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }

    @Test
    void aRepresentationIsVerifiedOnceAndItsIdenticalCopiesAreCheckedWithoutSigning() throws Exception {
        VerdictCache c = cache(Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC));
        Map<String, String> h = signed(BODY, "/networkmap/net");
        for (int i = 0; i < 1_000; i++) {
            assertTrue(c.check("/networkmap/net", h::get, buf(BODY.clone())).valid());
        }
        assertEquals(1, c.fullVerifications());
    }

    @Test
    void aTamperedCopyUnderTheSameSignatureIsVerifiedOnItsOwnAndRejected() throws Exception {
        VerdictCache c = cache(Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC));
        Map<String, String> h = signed(BODY, "/networkmap/net");
        assertTrue(c.check("/networkmap/net", h::get, buf(BODY)).valid());
        byte[] bad = BODY.clone();
        bad[3] ^= 1;
        assertEquals(Outcome.DIGEST_MISMATCH, c.check("/networkmap/net", h::get, buf(bad)).outcome());
        Map<String, String> otherDigest = new HashMap<>(h);
        otherDigest.put("content-digest", "sha-256=:AAAA:");
        assertEquals(Outcome.BAD_SIGNATURE, c.check("/networkmap/net", otherDigest::get, buf(BODY)).outcome());
        assertEquals(3, c.fullVerifications());
        assertTrue(c.check("/networkmap/net", h::get, buf(BODY)).valid(), "the good copy keeps its verdict");
    }

    @Test
    void aCachedVerdictStillExpiresAndIsBoundToThePathAskedFor() throws Exception {
        Instant[] now = {NOW.plusSeconds(5)};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        VerdictCache c = cache(clock);
        Map<String, String> h = signed(BODY, "/networkmap/net");
        assertTrue(c.check("/networkmap/net", h::get, buf(BODY)).valid());
        assertEquals(Outcome.WRONG_RESOURCE, c.check("/prop/pid", h::get, buf(BODY)).outcome());
        now[0] = NOW.plus(Duration.ofHours(2));
        assertEquals(Outcome.EXPIRED, c.check("/networkmap/net", h::get, buf(BODY)).outcome());
    }

    @Test
    void aCopyRelabelledWithoutItsContentEncodingDoesNotInheritTheGzipCopysVerdict() throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(BODY);
        }
        byte[] gz = z.toByteArray();
        VerdictCache c = cache(Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC));
        Map<String, String> h = signed(gz, "/networkmap/net");
        h.put("content-encoding", "gzip");
        assertTrue(c.check("/networkmap/net", h::get, buf(gz)).valid(), "the honest gzip copy");
        Map<String, String> relabelled = new HashMap<>(h);
        relabelled.remove("content-encoding");
        assertEquals(Outcome.CODING_MISMATCH, c.check("/networkmap/net", relabelled::get, buf(gz)).outcome(),
                "the same bytes and signature without Content-Encoding are verified on their own, as the product does");
        relabelled.put("content-encoding", "identity");
        assertEquals(Outcome.CODING_MISMATCH, c.check("/networkmap/net", relabelled::get, buf(gz)).outcome());
        assertEquals(3, c.fullVerifications());
        assertTrue(c.check("/networkmap/net", h::get, buf(gz)).valid(), "the honest copy keeps its verdict");
        Map<String, String> upper = new HashMap<>(h);
        upper.put("content-encoding", " GZIP ");
        assertTrue(c.check("/networkmap/net", upper::get, buf(gz)).valid());
        assertEquals(3, c.fullVerifications(), "a coding written differently is the same coding");
    }

    @Test
    void absentAndIdentityContentEncodingAreTheSame() throws Exception {
        VerdictCache c = cache(Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC));
        Map<String, String> h = signed(BODY, "/networkmap/net");
        assertTrue(c.check("/networkmap/net", h::get, buf(BODY)).valid());
        Map<String, String> identity = new HashMap<>(h);
        identity.put("content-encoding", "identity");
        assertTrue(c.check("/networkmap/net", identity::get, buf(BODY)).valid());
        assertEquals(1, c.fullVerifications());
        Map<String, String> gzipLabel = new HashMap<>(h);
        gzipLabel.put("content-encoding", "gzip");
        assertEquals(Outcome.CODING_MISMATCH, c.check("/networkmap/net", gzipLabel::get, buf(BODY)).outcome(),
                "plain bytes labelled gzip are verified on their own and refused");
    }

    @Test
    void aResponseWithoutSignatureIsReportedAsSuch() {
        VerdictCache c = cache(Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(Outcome.NO_SIGNATURE, c.check("/directory", n -> null, buf(BODY)).outcome());
    }
}
