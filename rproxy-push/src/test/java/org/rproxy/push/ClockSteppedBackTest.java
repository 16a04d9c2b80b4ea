package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.CopyOnWriteArrayList;

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
 * The origin's clock is stepped back (an NTP correction, a restored VM) and it now signs for a day
 * where it signed for an hour: each new version is older, by {@code created}, than the one a push
 * proxy holds. The proxy refused them for as long as it ran; once the version it held expired it
 * served 504s and its subscribers saw nothing new. Now an older version is refused only while the
 * one held is valid, by the proxy's clock (the test's). A real {@link PushProxy} subscribed over
 * loopback to a real {@link UpdatePublisher}, and a second push feed subscribed to the proxy's own
 * stream.
 */
class ClockSteppedBackTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    /** The first signing after the step: 30 minutes before the version held, valid for a day. */
    private static final Instant STEPPED = T0.minus(Duration.ofMinutes(30));

    private final MutableClock clock = new MutableClock(T0.plusSeconds(10));
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Instant> downstreamGot = new CopyOnWriteArrayList<>();
    private LoopbackUpstream upstream;
    private PushProxy proxy;
    private PushFeed downstream;

    @BeforeEach
    void start() {
        upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0.minus(Duration.ofHours(1)));
        proxy = PushProxy.start(FrontEndConfig.defaults("127.0.0.1", 0),
                PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200)),
                verifier(), UpdateStreamConfig.defaults(), clock);
        downstream = PushFeed.start(PushFeedConfig.of(URI.create(proxy.baseUri())), verifier(), copy -> {
            if (copy.target().equals(NM)) {
                downstreamGot.add(copy.representation().created());
            }
        });
    }

    private ResponseVerifier verifier() {
        return new ResponseVerifier(List.of(upstream.origin.publicKey()), clock);
    }

    @AfterEach
    void stop() {
        if (downstream != null) {
            downstream.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    @Test
    void anOlderVersionIsRefusedWhileTheHeldOneIsValidAndTakenAndStreamedOnOnceItHasExpired() throws Exception {
        upstream.publish(NM, "nm", networkMap(1, 1), T0, Duration.ofHours(1));
        await("the first version held", () -> createdHeld(NM, T0));
        await("the first version streamed on", () -> downstreamGot.equals(List.of(T0)));

        Representation stepped = upstream.publish(NM, "nm", networkMap(2, 1), STEPPED, Duration.ofDays(1));
        await("the older version refused", () -> proxy.feed().stats().rejected() >= 1);
        assertEquals(T0, proxy.feed().held().get(NM).created(), "refused while the version held is valid");
        assertEquals(List.of(T0), downstreamGot, "nothing refused is streamed on");

        clock.advance(Duration.ofHours(1)); // T0 + 1 h 10 s: the version held has expired
        await("the older version held", () -> createdHeld(NM, STEPPED));
        await("the older version streamed on", () -> downstreamGot.equals(List.of(T0, STEPPED)));
        // held() shows a version once the output (which adds to downstreamGot) has returned
        await("the older version held downstream", () -> downstream.held().get(NM) != null
                && STEPPED.equals(downstream.held().get(NM).created()));

        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + NM)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), "served, not a 504 for the expired version");
        Verdict v = verifier().verify(n -> r.headers().firstValue(n).orElse(null), r.body(), Expectation.path(NM));
        assertEquals(Verdict.Outcome.VALID, v.outcome(), v.reason());
        assertEquals(stepped.identity().body(), Bytes.wrap(r.body()));
    }

    private boolean createdHeld(String target, Instant created) {
        Representation r = proxy.feed().held().get(target);
        return r != null && r.created().equals(created);
    }
}
