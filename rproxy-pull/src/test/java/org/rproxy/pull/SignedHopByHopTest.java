package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * An origin whose signature covers a hop-by-hop field ({@code te} here), or another field no proxy
 * keeps, made a copy no client can verify past one hop: the answer is refused, naming it, rather
 * than held and served unverifiable.
 */
class SignedHopByHopTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void anAnswerSignedOverAHopByHopFieldIsRefused() {
        Admission.Refused refused = assertInstanceOf(Admission.Refused.class, admit("te", "trailers"));
        assertTrue(refused.reason().contains("covers te"), refused.reason());
    }

    /**
     * A signature over a field the proxy does not keep ({@code date}, which the front end writes
     * per response) is verified as every verifier after the proxy sees the copy, without it: the
     * answer is refused, not held and served to clients that could not verify it (it was held).
     */
    @Test
    void anAnswerSignedOverAFieldTheProxyDoesNotKeepIsRefused() {
        Admission.Refused refused = assertInstanceOf(Admission.Refused.class,
                admit("date", "Thu, 01 Jan 2026 00:00:00 GMT"));
        assertEquals(Outcome.MALFORMED, refused.outcome());
        assertEquals("covered component \"date\" is missing from the response", refused.reason());
    }

    /** What admission makes of an answer whose origin signature also covers {@code name}. */
    private static Admission.Result admit(String name, String value) {
        TestSigner origin = new TestSigner();
        byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String digest = ContentDigest.sha256(body);
        List<HeaderField> signed = List.of(new HeaderField("content-type", "application/alto-networkmap+json"),
                new HeaderField("content-digest", digest), new HeaderField("etag", "\"e\""),
                new HeaderField("alto-resource", "\"doc\";path=\"/networkmap/a\""), new HeaderField(name, value));
        String params = "(\"content-type\" \"content-digest\" \"etag\" \"alto-resource\" \"" + name + "\");created="
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
        return new Admission(verifier, "1.1 edge", clock).full(CacheKey.get("/networkmap/a"),
                new UpstreamResponse(200, headers, Bytes.wrap(body), "origin:80"), null, null, Duration.ZERO);
    }
}
