package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.await;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;

/**
 * What a real {@link PushProxy}, subscribed over loopback to a real {@link UpdatePublisher}, takes
 * from an update and serves: only variants that verify (a gzip variant whose signing ran out
 * before the identity's, or whose coding field is not a coding, gives way to the identity variant),
 * and a document whose signed fields came in several lines. The proxy's clock is the test's.
 */
class PushedVariantsTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    /** The gzip variant's signing: 50 minutes before the identity's, each valid for a day. */
    private static final Instant GZIP_SIGNED = T0.minus(Duration.ofMinutes(50));

    private final MutableClock clock = new MutableClock(T0.plusSeconds(10));
    private final HttpClient http = HttpClient.newHttpClient();
    private LoopbackUpstream upstream;
    private ResponseVerifier verifier;
    private PushProxy proxy;

    @BeforeEach
    void start() {
        upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
        verifier = new ResponseVerifier(List.of(upstream.origin.publicKey()), clock);
        proxy = PushProxy.start(FrontEndConfig.defaults("127.0.0.1", 0), PushFeedConfig.of(upstream.uri()), verifier,
                UpdateStreamConfig.defaults(), clock);
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
    }

    @Test
    void pastTheGzipSigningsExpiryAGzipClientGetsTheIdentityVariantWhichVerifies() throws Exception {
        Representation paired = upstream.publishWithGzip(NM, "nm", networkMap(1, 1), T0, GZIP_SIGNED);
        await("the update held", () -> proxy.feed().held().containsKey(NM));

        // after the gzip signing's expiry (T0 + 23 h 10 min), before the identity's (T0 + 24 h)
        clock.advance(Duration.ofHours(23).plusMinutes(20));
        aGzipClientGetsTheIdentityVariant(paired);
    }

    /**
     * An upstream's update whose gzip variant names its coding with a control character around it
     * (gzip and a vertical tab: the JSON of an update can carry any character): the variant names no coding,
     * so it is left out and a gzip client gets the identity variant, which verifies. Held as
     * {@code gzip} (the old check took the character off with Java's {@code trim()}), it was a
     * field value the front end cannot write.
     */
    @Test
    void aGzipVariantWhoseCodingFieldHoldsAControlCharacterIsNotHeld() throws Exception {
        Representation sent = upstream.publishWithGzip(NM, "nm", networkMap(1, 1), T0, T0, "gzip\u000b");
        await("the update held", () -> proxy.feed().held().containsKey(NM));

        aGzipClientGetsTheIdentityVariant(sent);
    }

    /** A client asking for gzip is answered {@code published}'s identity variant, which verifies. */
    private void aGzipClientGetsTheIdentityVariant(Representation published) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + NM))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), Expectation.path(NM));
        assertEquals(Verdict.Outcome.VALID, v.outcome(), v.reason());
        assertTrue(r.headers().firstValue("content-encoding").isEmpty(), "the identity variant");
        assertEquals(published.identity().body(), Bytes.wrap(r.body()));
    }

    /**
     * An update stream publisher holding a document whose {@code Signature} came in two lines, a
     * signature added on the way before the origin's (as a pull proxy holds an upstream's answer, and
     * a streaming pull proxy publishes it): a real {@link PushProxy} subscribed over loopback takes
     * the update and serves the document, which verifies. The publisher's event carried the first
     * line alone, and the push proxy refused every update of it ("Signature has no member 'alto'").
     */
    @Test
    void aDocumentWhoseSignatureCameInTwoLinesIsFollowedDownstream() throws Exception {
        Bytes body = Bytes.wrap(Jcs.canonicalize(networkMap(1, 1).getBytes(StandardCharsets.UTF_8)));
        Representation signed = upstream.origin.sign(AltoResource.of("nm", NM), body, false, T0, Duration.ofDays(1),
                60);
        List<HeaderField> lines = new ArrayList<>();
        for (HeaderField h : signed.identity().headers()) {
            if (h.name().equals("signature")) {
                lines.add(new HeaderField("signature", "hop=:AAAA:"));
            }
            lines.add(h);
        }
        upstream.publisher.accept(NM, new Representation(new Variant(body, null, lines), null,
                signed.maxAgeSeconds(), signed.created(), signed.expires()));
        await("the update held", () -> proxy.feed().held().containsKey(NM));

        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + NM)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        Verdict v = verifier.verify(n -> r.headers().allValues(n).isEmpty() ? null
                : String.join(", ", r.headers().allValues(n)), r.body(), Expectation.path(NM));
        assertEquals(Verdict.Outcome.VALID, v.outcome(), v.reason());
        assertEquals(body, Bytes.wrap(r.body()));
    }
}
