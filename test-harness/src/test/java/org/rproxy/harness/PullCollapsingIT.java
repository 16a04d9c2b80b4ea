package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.Representation;

/**
 * A flash crowd on a cold proxy: 200 concurrent requests for one key that the proxy does not hold
 * reach the upstream (which the test controls and counts) as exactly one request, and every
 * client gets the origin's bytes, verifiable.
 */
class PullCollapsingIT extends ControlledProxyTest {
    static final String MAP = "/networkmap/default-network-map";

    @Test
    void twoHundredConcurrentColdRequestsCauseExactlyOneUpstreamRequest() throws Exception {
        Representation doc = signer.sign(MAP, "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]}}}", false,
                clock.instant(), Duration.ofHours(1), 60);
        List<HttpResponse<byte[]>> answers = crowd(MAP, doc, 200, Map.of());
        assertEquals(1, upstream.requests(MAP));
        for (HttpResponse<byte[]> r : answers) {
            assertEquals(200, r.statusCode());
            assertArrayEquals(doc.identity().body().toArray(), r.body());
            assertValid(r);
        }
        assertEquals(199.0, Proxies.count(proxy.registry(), "rproxy.cache.coalesced.waits"));
    }

    @Test
    void aColdDocumentWithAGzipVariantCostsOneUpstreamRequestPerVariant() throws Exception {
        String body = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]}},\"pad\":\"" + "x".repeat(4000) + "\"}";
        Representation doc = signer.sign(MAP, body, true, clock.instant(), Duration.ofHours(1), 60);
        List<HttpResponse<byte[]>> answers = crowd(MAP, doc, 200, Map.of("Accept-Encoding", "gzip"));
        assertEquals(2, upstream.requests(MAP), "one for the gzip variant, one for identity");
        for (HttpResponse<byte[]> r : answers) {
            assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(null));
            assertArrayEquals(doc.gzip().body().toArray(), r.body());
            assertValid(r);
        }
        HttpResponse<byte[]> plain = Proxies.get(proxy.baseUri() + MAP);
        assertArrayEquals(doc.identity().body().toArray(), plain.body());
        assertValid(plain);
        assertEquals(2, upstream.requests(MAP));
    }

    /** Sends {@code n} requests at once while the upstream holds its answer until all of them have arrived. */
    private List<HttpResponse<byte[]>> crowd(String target, Representation doc, int n, Map<String, String> headers)
            throws Exception {
        upstream.docs.put(target, doc);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.gate = gate;
        List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.baseUri() + target))
                    .timeout(Duration.ofSeconds(20)).GET();
            headers.forEach(b::header);
            pending.add(Proxies.HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        assertTrue(Proxies.await(() -> Proxies.count(proxy.registry(), "rproxy.cache.misses") >= n, 20),
                "misses seen: " + Proxies.count(proxy.registry(), "rproxy.cache.misses"));
        gate.complete(null);
        List<HttpResponse<byte[]>> out = new ArrayList<>();
        for (CompletableFuture<HttpResponse<byte[]>> p : pending) {
            out.add(p.get(20, TimeUnit.SECONDS));
        }
        return out;
    }

    private void assertValid(HttpResponse<byte[]> r) throws Exception {
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(MAP, null));
        assertTrue(v.valid(), v.toString());
        assertNull(independent.check(n -> r.headers().firstValue(n).orElse(null), r.body()));
    }
}
