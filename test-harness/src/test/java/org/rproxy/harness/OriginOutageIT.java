package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * The origin goes away. While the proxy's copies are past max-age but inside the signature's
 * validity, clients see no error; past {@code expires} they get 504 with an ALTO error (never an
 * expired body) and {@code /readyz} says not ready; when the origin returns the proxy recovers
 * by itself, within one refresh, without a client asking. Time is a shared clock the test moves.
 */
class OriginOutageIT {
    static final List<String> TARGETS = List.of("/networkmap/default-network-map", "/costmap/routingcost-map",
            "/prop/pid", "/cost/map", "/directory");

    @TempDir
    Path dir;
    final MutableClock clock = MutableClock.now();
    Path maps;
    Path key;
    Path pub;
    Origin origin;
    PullProxy proxy;
    ResponseVerifier verifier;
    IndependentVerifier independent;

    @BeforeEach
    void start() throws Exception {
        maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey k = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        key = PrivateKeyFiles.write(dir.resolve("origin.key"), k.toPkcs8Pem());
        pub = Files.writeString(dir.resolve("origin.pub"), k.publicKey().toSpkiPem());
        origin = startOrigin(0);
        proxy = Proxies.start("edge", origin.baseUri(), pub, clock);
        verifier = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), clock);
        independent = new IndependentVerifier(pub);
    }

    private Origin startOrigin(int port) throws Exception {
        return Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", port), maps, key,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "outage-origin", null), clock);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void anOutageShorterThanExpiresIsInvisibleLongerIs504AndTheProxyRecoversByItself() throws Exception {
        for (String t : TARGETS) {
            assertValid(t, Proxies.get(proxy.baseUri() + t));
        }
        byte[] before = Proxies.get(proxy.baseUri() + TARGETS.get(0)).body();
        int port = origin.address().getPort();
        origin.close();

        clock.advance(Duration.ofMinutes(20));
        for (int round = 0; round < 3; round++) {
            for (String t : TARGETS) {
                HttpResponse<byte[]> r = Proxies.get(proxy.baseUri() + t);
                assertValid(t, r);
            }
            clock.advance(Duration.ofMinutes(10));
        }
        assertArrayEquals(before, Proxies.get(proxy.baseUri() + TARGETS.get(0)).body());
        assertTrue(Proxies.count(proxy.registry(), "rproxy.cache.stale.served") > 0);
        assertTrue(Proxies.await(() -> Proxies.count(proxy.registry(), "rproxy.upstream.fetches", "result", "failed") > 0, 5));
        assertNull(proxy.notReadyBecause());
        assertEquals(200, Proxies.get(admin("/readyz")).statusCode());

        clock.advance(Duration.ofMinutes(11));
        for (String t : TARGETS) {
            HttpResponse<byte[]> r = Proxies.get(proxy.baseUri() + t);
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertEquals(504, r.statusCode(), t + ": " + text);
            assertTrue(text.contains("no valid copy"), text);
            assertTrue(r.headers().firstValue("signature").isEmpty());
        }
        HttpResponse<byte[]> notReady = Proxies.get(admin("/readyz"));
        assertEquals(503, notReady.statusCode());
        assertTrue(new String(notReady.body(), StandardCharsets.UTF_8).contains("hold no valid copy"));

        origin = startOrigin(port);
        clock.advance(Duration.ofSeconds(1));
        long back = System.nanoTime();
        assertTrue(Proxies.await(() -> proxy.notReadyBecause() == null, 10), proxy.notReadyBecause());
        long seconds = (System.nanoTime() - back) / 1_000_000_000L;
        assertTrue(seconds < 3, "recovered after " + seconds + " s with a 100 ms refresh tick");
        assertEquals(200, Proxies.get(admin("/readyz")).statusCode());
        double missesBefore = Proxies.count(proxy.registry(), "rproxy.cache.misses");
        for (String t : TARGETS) {
            assertValid(t, Proxies.get(proxy.baseUri() + t));
        }
        assertEquals(missesBefore, Proxies.count(proxy.registry(), "rproxy.cache.misses"), "recovered before anyone asked");
    }

    @Test
    void theMetricsNameEveryPartOfTheStory() throws Exception {
        Proxies.get(proxy.baseUri() + TARGETS.get(0));
        Proxies.get(proxy.baseUri() + TARGETS.get(0));
        Proxies.get(proxy.baseUri() + "/no/such/thing");
        // The per-resource expiry rows are refreshed by the refresher, every tick.
        assertTrue(Proxies.await(() -> scrape().contains("rproxy_resource_expires_seconds{target="), 5));
        String metrics = scrape();
        for (String name : List.of("rproxy_requests_total{method=\"GET\",path=\"/networkmap/default-network-map\",status=\"200\"} 2.0",
                "rproxy_cache_hits_total 1.0", "rproxy_cache_misses_total 2.0", "rproxy_cache_coalesced_waits_total",
                "rproxy_upstream_request_seconds_count",
                "rproxy_store_bytes", "rproxy_store_entries ", "rproxy_queries_total{answered=\"local\"}",
                "rproxy_resource_expires_seconds{target=\"/networkmap/default-network-map\"}")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
        // The first GET fetched the map itself, or joined the start's prefetch of it under way
        // (then the attempt is the prefetch's, kind "source"): which one is a race with the start.
        assertTrue(metrics.contains("rproxy_upstream_fetches_total{kind=\"miss\",result=\"stored\"} 1.0")
                        || metrics.contains("rproxy_cache_coalesced_waits_total 1.0"),
                "the first GET's fetch, its own or the prefetch it joined, in\n" + metrics);
        assertEquals(200, Proxies.get(admin("/healthz")).statusCode());
    }

    private String scrape() {
        try {
            return new String(Proxies.get(admin("/metrics")).body(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String admin(String path) {
        return "http://127.0.0.1:" + proxy.adminAddress().getPort() + path;
    }

    private void assertValid(String target, HttpResponse<byte[]> r) throws Exception {
        assertEquals(200, r.statusCode(), target + ": " + new String(r.body(), StandardCharsets.UTF_8));
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(target, null));
        assertTrue(v.valid(), target + ": " + v);
        assertNull(independent.check(n -> r.headers().firstValue(n).orElse(null), r.body()), target);
    }
}
