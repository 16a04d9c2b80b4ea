package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.push.PushFeedConfig;

/**
 * A hostile hop between the origin and a {@code --mode push} proxy ({@link StopInjectingRelay},
 * real sockets on loopback) forwards the origin's update stream but injects a {@code stopped}
 * control event for the cost map, which the origin still serves. The stop is a word from no one
 * trusted: the proxy keeps the map and serves it (200, bytes that verify), its own subscribers
 * hear no {@code stopped} for it, and however often the hop says it, the origin is asked for the
 * map at most once per {@code refresh.min-interval}.
 */
class HostileStopInAPushTreeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COST_MAP = PushTree.COST_MAP;
    private static final String EXTRA_FILE = "extra-network-map.json";
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** The proxy's min-interval: long beside a loopback round trip, short beside the test. */
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(3);
    private static final String CONTROL = "application/alto-updatestreamcontrol+json";

    @TempDir
    Path dir;

    @Test
    void aStopTheOriginDoesNotBearOutDropsNothingAndTellsNoSubscriber() throws Exception {
        try (PushTree tree = PushTree.start(dir, EXTRA_FILE, extraMap(1));
             StopInjectingRelay relay = new StopInjectingRelay(tree.originPort(), COST_MAP);
             PushPullProxy p = pushProxy(relay.base(), tree.publicKey)) {
            PushTree.await(BOUND, "the proxy's feed holds the cost map", () -> p.feed().held().containsKey(COST_MAP));
            try (SseClient sse = subscribe(p)) {
                // the pull half's own first fetch of the map (its answer engine's) may still be under way, its
                // request counted below: the stop is injected once every attempt that reached the origin has ended
                PushTree.await(BOUND, "the pull half fetched the cost map and its attempts ended", () -> quiet(relay, p));
                double before = revalidations(p);
                long start = System.nanoTime();
                relay.inject("{\"stopped\":[\"%s\"],\"description\":\"gone, says the hop\"}", 1, 1);
                // the revalidation asked for (the directory too, when due) has ended
                try {
                    PushTree.await(BOUND, "the injected stop revalidated the cost map at the origin",
                            () -> mapAttempts(relay, start).size() == 1 && revalidations(p) - before >= revalidated(relay, start));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; injected " + relay.injected() + ", revalidations ended "
                            + (revalidations(p) - before) + ", requests (ms from the stop) " + relay.requests().stream()
                            .map(r -> r.method() + " " + r.path() + (r.gzip() ? " gzip " : " ") + (r.at() - start) / 1_000_000)
                            .toList(), e);
                }

                // a change the origin makes after the stop reaches the subscriber: a stopped for "c" would come before it
                Files.writeString(tree.maps.resolve(EXTRA_FILE), extraMap(2));
                List<SseClient.Event> seen = untilExtraChanged(sse);
                assertNull(stopOf(seen, "c"), "the proxy told its subscriber the hop's stop: " + seen);
                assertServed(tree, p);
            }
        }
    }

    @Test
    void aStopSaidAgainAndAgainCostsTheOriginOneRevalidationPerMinInterval() throws Exception {
        try (PushTree tree = PushTree.start(dir, EXTRA_FILE, extraMap(1));
             StopInjectingRelay relay = new StopInjectingRelay(tree.originPort(), COST_MAP);
             PushPullProxy p = pushProxy(relay.base(), tree.publicKey)) {
            PushTree.await(BOUND, "the proxy's feed holds the cost map", () -> p.feed().held().containsKey(COST_MAP));
            try (SseClient sse = subscribe(p)) {
                // announcing the map again has the feed follow it again, so that each stop is of a document followed;
                // and the directory, which the proxy asks for first, comes slowly
                relay.delayDirectory(Duration.ofMillis(500));
                long start = System.nanoTime();
                relay.inject("{\"alto-redist-documents\":{\"" + COST_MAP + "\":\"routingcost-map\"},\"stopped\":[\"%s\"]}",
                        Integer.MAX_VALUE, 2);
                // the attack lasts four min-intervals, each with many stops
                PushTree.await(Duration.ofMinutes(3), "the hop injected 40 stops over four min-intervals",
                        () -> relay.injected() >= 40 && System.nanoTime() - start >= MIN_INTERVAL.multipliedBy(4).toNanos());
                relay.stopInjecting();
                relay.delayDirectory(Duration.ZERO);
                long elapsed = System.nanoTime() - start;

                List<Long> attempts = mapAttempts(relay, start);
                long allowed = elapsed / MIN_INTERVAL.toNanos() + 2;
                assertTrue(attempts.size() <= allowed, attempts.size() + " revalidations of the map in "
                        + Duration.ofNanos(elapsed) + " (at most " + allowed + " with a min-interval of " + MIN_INTERVAL + ")");
                for (int i = 1; i < attempts.size(); i++) {
                    Duration gap = Duration.ofNanos(attempts.get(i) - attempts.get(i - 1));
                    assertTrue(gap.compareTo(MIN_INTERVAL.dividedBy(2)) >= 0, "two revalidations of the map "
                            + gap + " apart (min-interval " + MIN_INTERVAL + "): " + attempts);
                }
                Files.writeString(tree.maps.resolve(EXTRA_FILE), extraMap(2));
                List<SseClient.Event> seen = untilExtraChanged(sse);
                assertNull(stopOf(seen, "c"), "the proxy told its subscriber the hop's stop: " + seen);
                assertServed(tree, p);
            }
        }
    }

    /** The proxy serves the cost map, 200 with bytes that verify (both verifiers), and holds its signed copy. */
    private static void assertServed(PushTree tree, PushPullProxy p) {
        assertTrue(p.pull().heldSignedTargets().contains(COST_MAP), "the proxy dropped a map the origin has");
        tree.verifiedBody(p.baseUri(), COST_MAP);
    }

    /** A subscriber of {@code p} to the cost map ("c") and the extra network map ("x"), past their first versions. */
    private static SseClient subscribe(PushPullProxy p) throws Exception {
        SseClient sse = new SseClient(Proxies.HTTP, p.baseUri() + "/updates",
                "{\"add\":{\"c\":{\"resource-id\":\"routingcost-map\"},\"x\":{\"resource-id\":\"extra-network-map\"}}}");
        assertEquals(CONTROL, sse.next(BOUND).type());
        sse.next("application/alto-costmap+json,c", BOUND);
        sse.next("application/alto-networkmap+json,x", BOUND);
        return sse;
    }

    /** The events up to the extra map's next version (whole or a patch), failing past the bound. */
    private static List<SseClient.Event> untilExtraChanged(SseClient sse) throws Exception {
        List<SseClient.Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            SseClient.Event e = sse.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            seen.add(e);
            assertFalse(e.type().equals("closed"), "the proxy's stream ended: " + seen);
            if (e.type().endsWith(",x") && e.data().contains("198.51.100.0/24")) {
                return seen;
            }
        }
    }

    /** The control event among {@code events} that stops substream {@code id}, or null. */
    private static JsonNode stopOf(List<SseClient.Event> events, String id) throws Exception {
        for (SseClient.Event e : events) {
            if (e.type().equals(CONTROL)) {
                JsonNode c = JSON.readTree(e.data());
                for (JsonNode s : c.path("stopped")) {
                    if (s.asText().equals(id)) {
                        return c;
                    }
                }
            }
        }
        return null;
    }

    /**
     * When each attempt of the proxy's pull half for the cost map since {@code since} (nanoTime)
     * reached the origin: its first request, which asks for gzip.
     */
    private static List<Long> mapAttempts(StopInjectingRelay relay, long since) {
        return relay.requests().stream().filter(r -> r.at() >= since && r.method().equals("GET") && r.gzip()
                && r.path().equals(COST_MAP)).map(StopInjectingRelay.Request::at).toList();
    }

    /** How many attempts of the pull half for the cost map or the directory reached the origin since {@code since}. */
    private static long revalidated(StopInjectingRelay relay, long since) {
        return relay.requests().stream().filter(r -> r.at() >= since && r.method().equals("GET") && r.gzip()
                && (r.path().equals(COST_MAP) || r.path().equals("/directory"))).count();
    }

    /**
     * Whether the pull half has asked the origin for the cost map itself and every attempt of it that
     * reached the origin (one request asking for gzip each) has ended. Its answer engine fetches every
     * map once at start, and that may still run when the push feed's copy is held already: a stop
     * heard meanwhile found the map's attempt under way, and the test counted that attempt's request.
     */
    private static boolean quiet(StopInjectingRelay relay, PushPullProxy p) {
        List<StopInjectingRelay.Request> gets = relay.requests().stream().filter(r -> r.method().equals("GET") && r.gzip())
                .toList();
        return gets.stream().anyMatch(r -> r.path().equals(COST_MAP))
                && Proxies.count(p.pull().registry(), "rproxy.upstream.fetches") >= gets.size();
    }

    /** The proxy's upstream attempts of kind {@code revalidate} that have ended, however. */
    private static double revalidations(PushPullProxy p) {
        return Proxies.count(p.pull().registry(), "rproxy.upstream.fetches", "kind", "revalidate");
    }

    /** The extra network map: version 2 gives X1 a second prefix. */
    private static String extraMap(int version) {
        String x1 = version == 1 ? "\"192.0.2.0/24\"" : "\"192.0.2.0/24\",\"198.51.100.0/24\"";
        return "{\"network-map\":{\"X1\":{\"ipv4\":[" + x1 + "]},\"X2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    }

    private static PushPullProxy pushProxy(String upstream, Path pub) {
        PushFeedConfig feed = PushFeedConfig.of(URI.create(upstream)).withReadTimeout(PushTree.STEADY_READ_TIMEOUT)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400));
        return PushPullProxy.start(Proxies.config("hostile-stop", upstream, pub)
                        .withRefresh(new RefreshConfig(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(1),
                                MIN_INTERVAL, Duration.ofHours(1))),
                feed, PushTree.streamConfig(), null, Clock.systemUTC());
    }
}
