package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureBase;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * An origin whose signature covers a hop-by-hop field ({@code te} here) made a copy no client can
 * verify past one hop, since no proxy passes that field on: the answer is refused, naming it,
 * rather than held and served unverifiable.
 */
class SignedHopByHopTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void anAnswerSignedOverAHopByHopFieldIsRefused() {
        TestSigner origin = new TestSigner();
        byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String digest = ContentDigest.sha256(body);
        List<HeaderField> signed = List.of(new HeaderField("content-type", "application/alto-networkmap+json"),
                new HeaderField("content-digest", digest), new HeaderField("etag", "\"e\""),
                new HeaderField("alto-resource", "\"doc\";path=\"/networkmap/a\""), new HeaderField("te", "trailers"));
        String params = "(\"content-type\" \"content-digest\" \"etag\" \"alto-resource\" \"te\");created="
                + NOW.getEpochSecond() + ";expires=" + NOW.plus(Duration.ofHours(1)).getEpochSecond() + ";keyid=\""
                + origin.key.keyId() + "\";alg=\"" + origin.key.algorithm().token() + "\";tag=\"" + SignatureHeaders.TAG
                + "\"";
        SignatureBase base = SignatureBase.of(signed.stream()
                .map(h -> new SignatureBase.Component(h.name(), h.value())).toList(), params);
        List<HeaderField> headers = new java.util.ArrayList<>(signed);
        headers.add(new HeaderField("signature-input", "alto=" + params));
        headers.add(new HeaderField("signature", "alto=:"
                + java.util.Base64.getEncoder().encodeToString(origin.key.sign(base.bytes())) + ":"));
        MutableClock clock = new MutableClock(NOW);
        ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()), clock);
        assertTrue(verifier.verify(HeaderRules.lookup(headers), body,
                new ResponseVerifier.Expectation("/networkmap/a", null)).valid(), "a valid signature");
        Admission.Result r = new Admission(verifier, "1.1 edge", clock).full(CacheKey.get("/networkmap/a"),
                new UpstreamResponse(200, headers, Bytes.wrap(body), "origin:80"), null, null, Duration.ZERO);
        Admission.Refused refused = assertInstanceOf(Admission.Refused.class, r);
        assertTrue(refused.reason().contains("covers te"), refused.reason());
    }
}
