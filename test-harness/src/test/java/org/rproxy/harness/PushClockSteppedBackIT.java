package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.push.PushFeed;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.UpdatePublisher;

/**
 * {@code rproxy proxy --mode push} ({@link PushPullProxy}) under an origin whose clock was
 * stepped back and which now signs for a day where it signed for an hour: the version it streams
 * is older, by {@code created}, than the one the proxy holds. It is refused while the version held
 * is valid, and once that has expired it is held by the push feed, taken by the pull half's store
 * (which used to refuse it against the expired copy), served and streamed on to a subscriber. The
 * upstream's plain GET keeps answering with the version from before the step, expired by then, so
 * only the stream can bring the new one. Real loopback sockets; every node's clock is the test's.
 */
class PushClockSteppedBackIT {
    private static final String MAP = "/networkmap/nm";
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    /** The first signing after the step: 30 minutes before the version held. */
    private static final Instant STEPPED = T0.minus(Duration.ofMinutes(30));

    @TempDir
    Path dir;

    @Test
    void anOlderVersionIsServedAndStreamedOnOnceTheVersionHeldHasExpired() throws Exception {
        TestSigner origin = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pub"));
        MutableClock clock = new MutableClock(T0.plusSeconds(10));
        AltoResource nm = AltoResource.of("nm", MAP);
        Representation before = origin.sign(nm, json(map(1)), false, T0, Duration.ofHours(1), 3600);
        Representation stepped = origin.sign(nm, json(map(2)), false, STEPPED, Duration.ofDays(1), 3600);
        List<Instant> subscriberGot = new CopyOnWriteArrayList<>();
        try (UpdatePublisher stream = new UpdatePublisher(PushTree.streamConfig());
             ControlledUpstream upstream = new ControlledUpstream(stream)) {
            upstream.servePushedMap(origin, T0.minus(Duration.ofHours(2)), MAP, before);
            ProxyConfig config = Proxies.config("push", upstream.baseUri(), pub).withMode(ProxyConfig.Mode.PUSH)
                    .withQueries(ProxyConfig.Queries.UPSTREAM);
            config = config.withPush(config.push().withBackoff(Duration.ofMillis(50), Duration.ofMillis(200)));
            try (PushPullProxy proxy = PushPullProxy.start(config, clock);
                 PushFeed subscriber = PushFeed.start(PushFeedConfig.of(URI.create(proxy.baseUri())),
                         new ResponseVerifier(List.of(origin.publicKey()), clock), copy -> {
                             if (copy.target().equals(MAP)) {
                                 subscriberGot.add(copy.representation().created());
                             }
                         })) {
                PushTree.await(Duration.ofSeconds(10), "the first version streamed on",
                        () -> subscriberGot.equals(List.of(T0)));

                stream.accept(MAP, stepped);
                PushTree.await(Duration.ofSeconds(10), "the older version refused",
                        () -> proxy.feed().stats().rejected() >= 1);
                assertServes(proxy, before, "refused while the version held is valid");

                clock.advance(Duration.ofHours(1)); // the version held has expired
                PushTree.await(Duration.ofSeconds(10), "the older version streamed on",
                        () -> subscriberGot.equals(List.of(T0, STEPPED)));
                assertServes(proxy, stepped, "once the version held has expired");
                // held() shows a version once the feed's output (the store, the list) has returned
                PushTree.await(Duration.ofSeconds(10), "the older version held by the proxy's feed and the subscriber",
                        () -> heldAt(proxy.feed(), STEPPED) && heldAt(subscriber, STEPPED));
            }
        }
    }

    private static void assertServes(PushPullProxy proxy, Representation expected, String when) throws Exception {
        HttpResponse<byte[]> r = Proxies.get(proxy.baseUri() + MAP);
        assertEquals(200, r.statusCode(), when + ": " + new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(expected.identity().body(), Bytes.wrap(r.body()), when);
    }

    private static String map(int a) {
        StringBuilder sb = new StringBuilder("{\"network-map\":{\"A\":{\"ipv4\":[\"10.0.").append(a).append(".0/24\"]}");
        for (int i = 0; i < 40; i++) {
            sb.append(",\"P").append(i).append("\":{\"ipv4\":[\"10.9.").append(i).append(".0/24\"]}");
        }
        return sb.append("}}").toString();
    }

    private static Bytes json(String text) {
        return Bytes.wrap(Jcs.canonicalize(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code feed} shows the version of {@link #MAP} signed at {@code created} as held. */
    private static boolean heldAt(PushFeed feed, Instant created) {
        Representation r = feed.held().get(MAP);
        return r != null && created.equals(r.created());
    }
}
