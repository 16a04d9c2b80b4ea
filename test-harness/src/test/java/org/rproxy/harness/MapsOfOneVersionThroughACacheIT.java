package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.harness.scenario.CacheProcess;

/**
 * How long a pull proxy behind an HTTP cache holds a network map and a cost map that do not fit
 * together (the cost map's {@code dependent-vtags} names another version of the network map)
 * while the origin changes them: origin, push proxy A (which has every new version within
 * moments), the shipped nginx or Varnish with other clients reading the maps through it, and
 * streaming pull proxy B with a subscriber following both maps. The cache holds each copy for
 * its {@code max-age} from its own fetch: here the network map was first asked for by another
 * client, {@link #HEAD_START} before B started, so the cache's two copies expire that far apart,
 * as copies first asked for at different times do. B's revalidation that took the new network map
 * found the cache's cost map still fresh, and B held maps that do not fit until B revalidated the
 * cost map again once the cache's copy had expired: most of a max-age (60 s by default, while a
 * client following B's stream leaves it after 30 s of maps that do not fit). Now B asks again,
 * past the cache, for the map that is behind, and only while the maps it holds do not fit; the
 * shipped configurations fetch such a request ({@code Rproxy-Refetch}) from the node and keep what
 * it brings, while a client's {@code Cache-Control: no-cache} is still answered from their copy.
 */
class MapsOfOneVersionThroughACacheIT {
    private static final String NETWORK_MAP = "/networkmap/default-network-map";
    private static final String NM_ID = "default-network-map";
    private static final Duration MAX_AGE = Duration.ofSeconds(16);
    /** How much older the cache's network map is than its cost map. */
    private static final Duration HEAD_START = Duration.ofSeconds(11);
    /** The longest B may hold maps that do not fit: a quarter of a max-age (before: most of one). */
    private static final long FIT_WITHIN_MILLIS = MAX_AGE.toMillis() / 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /**
     * The whole chain, in the scenarios tier ({@code mvn -B -Pscenarios -pl test-harness -am verify};
     * test-harness's POM says why): its halves are proven in {@code mvn -B verify} by FitChaseTest
     * and the cases below.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nginx", "Varnish"})
    @Tag("scenario")
    void behindTheShippedCacheTheMapsOfAVersionFitAgainWithinSeconds(String kind) throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir, MAX_AGE);
             PushPullProxy a = startA(lab);
             CacheProcess cache = shipped(kind, a)) {
            measure(lab, cache.base(), kind);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx", "Varnish"})
    void theShippedCacheFetchesARequestCarryingRproxyRefetchFromTheNodeAndKeepsIt(String kind) throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir, MAX_AGE);
             PushPullProxy a = startA(lab);
             CacheProcess cache = shipped(kind, a)) {
            refetch(lab, a, cache.base());
        }
    }

    /**
     * Any client may send {@code Rproxy-Refetch}, and every such request nginx and Varnish passed
     * to the node, not waiting for one another's fetch: a crowd (or one client in a loop, closing
     * as soon as the headers come: nginx goes on fetching what it stores) made the node send the
     * whole map once per request of a hundred bytes. The shipped configurations let at most one
     * such request a second per stored copy past the cache and answer the rest from it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nginx", "Varnish"})
    void behindTheShippedCacheACrowdAskingWithRproxyRefetchReachesTheNodeAtMostOnceASecond(String kind)
            throws Exception {
        int asked = 40;
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir, MAX_AGE);
             PushPullProxy a = startA(lab);
             CacheProcess cache = shipped(kind, a)) {
            String url = cache.base() + NETWORK_MAP;
            digest(url, Map.of()); // stored
            overASecondOld(System.nanoTime()); // the crowd arrives together, the first refetch still in flight
            double before = Proxies.count(a.pull().registry(), "rproxy.requests", "path", NETWORK_MAP);
            ExecutorService crowd = Executors.newFixedThreadPool(8);
            long start = System.nanoTime();
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < asked; i++) {
                    answers.add(crowd.submit(() -> digest(url, Map.of("rproxy-refetch", "1"))));
                }
                for (Future<String> f : answers) {
                    f.get(WAIT.toSeconds(), TimeUnit.SECONDS); // each answered the map, from the node or the cache
                }
            } finally {
                crowd.shutdownNow();
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;
            double reached = Proxies.count(a.pull().registry(), "rproxy.requests", "path", NETWORK_MAP) - before;
            assertTrue(reached <= seconds + 1, "behind " + kind + ", " + asked + " requests carrying Rproxy-Refetch"
                    + " within " + seconds + " s reached the node " + (long) reached + " times");
            assertTrue(reached >= 1, "behind " + kind + ", none of " + asked + " requests carrying Rproxy-Refetch"
                    + " for a copy over a second old reached the node");
        }
    }

    /** The shipped nginx or Varnish configuration in front of {@code a}; the test is skipped without it. */
    private CacheProcess shipped(String kind, PushPullProxy a) throws Exception {
        boolean nginx = kind.equals("nginx");
        Path exe = CacheProcess.executable(nginx ? "nginx" : "varnishd").orElse(null);
        Assumptions.assumeTrue(exe != null, kind + " is not installed");
        Path conf = TestPaths.repo().resolve("conf");
        URI at = URI.create(a.baseUri());
        if (nginx) {
            return CacheProcess.shippedNginx("fit-nginx", exe, conf, dir.resolve("nginx"), CacheProcess.freePort(),
                    at.getHost() + ":" + at.getPort());
        }
        // varnishd's workers run as another user, which must reach the VCL in the test's folder
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return CacheProcess.shippedVarnish("fit-varnish", exe, conf, dir.resolve("varnish"), CacheProcess.freePort(),
                at.getHost(), at.getPort());
    }

    /**
     * Within the cache's max-age after a change: a plain request and one with {@code Cache-Control:
     * no-cache} get the cache's copy, one with {@code Rproxy-Refetch} the node's (the copy being
     * over a second old: a younger one is the answer, see the crowd above), which the cache then
     * gives everyone.
     */
    private static void refetch(PlainSubscriberIT.Lab lab, PushPullProxy a, String cache) throws Exception {
        String old = digest(cache + NETWORK_MAP, Map.of());
        long stored = System.nanoTime();
        MapsOfOneVersionTogetherIT.editNetworkMap(lab.maps);
        PushTree.await(WAIT, "A serving the new network map", () -> !old.equals(digest(a.baseUri() + NETWORK_MAP,
                Map.of())));
        assertEquals(old, digest(cache + NETWORK_MAP, Map.of()), "the cache's copy, fresh for " + MAX_AGE);
        assertEquals(old, digest(cache + NETWORK_MAP, Map.of("cache-control", "no-cache")),
                "a client's no-cache is answered from the cache's copy");
        overASecondOld(stored);
        String renewed = digest(cache + NETWORK_MAP, Map.of("rproxy-refetch", "1"));
        assertNotEquals(old, renewed, "a request carrying Rproxy-Refetch was answered from the cache's copy");
        assertEquals(renewed, digest(cache + NETWORK_MAP, Map.of()), "the node's copy is kept for everyone");
    }

    /** Waits until the cache's copy stored at {@code stored} (nanoTime) is old enough for Rproxy-Refetch. */
    private static void overASecondOld(long stored) throws Exception {
        PushTree.await(WAIT, "the cache's copy over a second old", () -> System.nanoTime() - stored > 1_500_000_000L);
    }

    private static String digest(String url, Map<String, String> headers) {
        try {
            HttpResponse<byte[]> r = Proxies.get(url, headers);
            assertEquals(200, r.statusCode(), url);
            return r.headers().firstValue("content-digest").orElseThrow();
        } catch (Exception e) {
            throw new IllegalStateException(url, e);
        }
    }

    private static PushPullProxy startA(PlainSubscriberIT.Lab lab) throws Exception {
        PushPullProxy a = PushPullProxy.start(Proxies.config("a", lab.origin.baseUri(), lab.pub)
                .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC());
        PushTree.await(WAIT, "A holding both maps", () -> a.feed().held().containsKey(PushTree.COST_MAP)
                && a.feed().held().containsKey(NETWORK_MAP));
        return a;
    }

    private void measure(PlainSubscriberIT.Lab lab, String cache, String name) throws Exception {
        // other clients of the cache ask for the network map first: the cache's copies of it are older
        readBothVariants(cache + NETWORK_MAP);
        long asked = System.nanoTime();
        PushTree.await(WAIT, "the cache's network map " + HEAD_START.toSeconds() + " s old",
                () -> System.nanoTime() - asked >= HEAD_START.toNanos());
        ExecutorService crowd = Executors.newSingleThreadExecutor();
        AtomicBoolean done = new AtomicBoolean();
        try (StreamingPull b = PlainSubscriberIT.Lab.pull(cache, lab.pub)) {
            String base = b.pull().baseUri();
            assertEquals(200, Proxies.get(base + NETWORK_MAP).statusCode());
            assertEquals(200, Proxies.get(base + PushTree.COST_MAP).statusCode());
            try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", "{\"add\":{\"nm\":{\"resource-id\":\""
                    + NM_ID + "\"},\"rc\":{\"resource-id\":\"routingcost-map\"}}}")) {
                sse.next("application/alto-costmap+json,rc", WAIT); // both followed, so kept fresh
                MapsOfOneVersionTogetherIT.Arrivals atB = new MapsOfOneVersionTogetherIT.Arrivals();
                b.pull().addChangeListener(atB::heard); // told at once of the copies held: the versions before
                assertTrue(atB.holdsBoth());
                // the other clients keep reading both maps through the cache, which fetches each as it expires
                Future<?> reading = crowd.submit(() -> read(cache, done));

                long edited = System.nanoTime();
                MapsOfOneVersionTogetherIT.editNetworkMap(lab.maps);
                PushTree.await(WAIT, "the new maps at B", atB::both);
                long gap = atB.gapMillis();
                System.out.printf("behind %s, B took the new network map %d ms and the new cost map %d ms after the"
                        + " edit: %d ms apart%n", name, atB.millisAfter(edited, NETWORK_MAP),
                        atB.millisAfter(edited, PushTree.COST_MAP), gap);
                done.set(true);
                reading.get(30, TimeUnit.SECONDS);
                assertTrue(gap < FIT_WITHIN_MILLIS, "behind " + name + ", B held a network map and a cost map that"
                        + " do not fit for " + gap + " ms (the cache's copies expire " + HEAD_START.toSeconds()
                        + " s apart): a client following its stream with a shorter read timeout leaves it");
            }
        } finally {
            done.set(true);
            crowd.shutdownNow();
        }
    }

    /** Reads both maps through the cache, as clients with and without gzip, every quarter second until {@code done}. */
    private static Void read(String cache, AtomicBoolean done) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!done.get() && System.nanoTime() < end) {
            readBothVariants(cache + NETWORK_MAP);
            readBothVariants(cache + PushTree.COST_MAP);
            Thread.sleep(250);
        }
        return null;
    }

    /** Reads {@code url} as a client without gzip and as one with: the cache keeps a copy for each. */
    private static void readBothVariants(String url) throws Exception {
        assertEquals(200, Proxies.get(url).statusCode());
        assertEquals(200, Proxies.get(url, Map.of("accept-encoding", "gzip")).statusCode());
    }
}
