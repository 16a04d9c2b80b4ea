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
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;

/**
 * An upstream that pairs the identity variant's fresh signature with an older signing of the same
 * gzip bytes: both verify when the update arrives, but the gzip variant's runs out first. A real
 * {@link PushProxy} subscribed over loopback to a real {@link UpdatePublisher} serves its gzip
 * clients only what verifies: past the gzip signing's expiry, the identity variant. The proxy's
 * clock is the test's.
 */
class PushedGzipVariantTest {

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
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + NM))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), Expectation.path(NM));
        assertEquals(Verdict.Outcome.VALID, v.outcome(), v.reason());
        assertTrue(r.headers().firstValue("content-encoding").isEmpty(), "the identity variant");
        assertEquals(paired.identity().body(), Bytes.wrap(r.body()));
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

        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + NM))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), Expectation.path(NM));
        assertEquals(Verdict.Outcome.VALID, v.outcome(), v.reason());
        assertTrue(r.headers().firstValue("content-encoding").isEmpty(), "the identity variant");
        assertEquals(sent.identity().body(), Bytes.wrap(r.body()));
    }
}
