package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.pull.PullProxy;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.testing.MutableClock;

/**
 * The byte bound holds under load: a proxy started with {@code max-bytes} 1MB (the least it takes)
 * is asked, 16 at a time, for 240 distinct signed documents of about 24KB each (over 5MB, both
 * variants of each),
 * and the bytes it holds never exceed the bound — checked after every batch in the store and in
 * {@code /metrics} — while every answer is still the origin's verified document. Each document
 * costs one upstream request per variant: one evicted is fetched again only when asked for again
 * (a refresher pass that read its entry just before the eviction once fetched it once more).
 */
class MemoryBoundIT {
    static final long MAX = CacheConfig.MIN_MAX_BYTES;
    static final int DOCUMENTS = 240;
    static final int BATCH = 16;

    @TempDir
    Path dir;

    @Test
    void heldBytesStayUnderMaxBytesWhileFarMoreDistinctBytesAreRequested() throws Exception {
        MutableClock clock = MutableClock.now();
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pub"));
        try (ControlledUpstream upstream = new ControlledUpstream()) {
            upstream.generator = target -> signer.sign(target, document(target), true, clock.instant(),
                    Duration.ofHours(1), 60);
            ProxyConfig config = Proxies.config("edge", upstream.baseUri(), pub)
                    .withCache(new CacheConfig(ByteSize.ofBytes(MAX)));
            try (PullProxy proxy = PullProxy.start(config, clock)) {
                long requested = 0;
                long maxSeen = 0;
                for (int start = 0; start < DOCUMENTS; start += BATCH) {
                    List<CompletableFuture<HttpResponse<byte[]>>> batch = new ArrayList<>();
                    for (int i = start; i < start + BATCH; i++) {
                        boolean gzip = i % 2 == 0;
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.baseUri() + "/doc/" + i))
                                .timeout(Duration.ofSeconds(20));
                        if (gzip) {
                            b.header("Accept-Encoding", "gzip");
                        }
                        batch.add(Proxies.HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
                    }
                    for (CompletableFuture<HttpResponse<byte[]>> f : batch) {
                        HttpResponse<byte[]> r = f.get(20, TimeUnit.SECONDS);
                        assertEquals(200, r.statusCode());
                        assertTrue(r.headers().firstValue("signature").isPresent());
                    }
                    requested += (long) BATCH * document("/doc/0").length();
                    long held = proxy.heldBytes();
                    maxSeen = Math.max(maxSeen, held);
                    assertTrue(held <= MAX, "held " + held + " > " + MAX + " after " + (start + BATCH) + " documents");
                    assertTrue(scrapedStoreBytes(proxy) <= MAX);
                }
                assertTrue(requested > 5 * MAX, "requested " + requested + " bytes of distinct documents");
                assertTrue(maxSeen > MAX / 2, "the store was used: " + maxSeen);
                // (the proxy also reads the upstream's /directory, for the queries it may answer itself)
                String attempts = metrics(proxy).lines().filter(l -> l.startsWith("rproxy_upstream_fetches_total"))
                        .toList().toString();
                assertEquals(DOCUMENTS * 2, upstream.totalRequests() - upstream.requests("/directory"),
                        () -> "each document cost one request per variant; not 2: " + upstream.requestCounts().entrySet()
                                .stream().filter(e -> e.getValue() != 2).toList() + "; the proxy's attempts: " + attempts);
            }
        }
    }

    /** A distinct JSON document of about 24KB for each target. */
    static String document(String target) {
        StringBuilder b = new StringBuilder("{\"target\":\"").append(target).append("\",\"pids\":[");
        for (int i = 0; i < 1200; i++) {
            b.append(i == 0 ? "" : ",").append('"').append(Integer.toHexString((target.hashCode() * 31 + i) * 2654435761L > 0
                    ? i * 7919 + target.length() : i)).append("-p\"");
        }
        while (b.length() < 24 * 1024 - 2) {
            b.append(' ');
        }
        return b.append("]}").toString();
    }

    private static long scrapedStoreBytes(PullProxy proxy) throws Exception {
        String metrics = metrics(proxy);
        Matcher m = Pattern.compile("(?m)^rproxy_store_bytes (\\S+)$").matcher(metrics);
        assertTrue(m.find(), metrics);
        return (long) Double.parseDouble(m.group(1));
    }

    /** The proxy's {@code /metrics} page. */
    private static String metrics(PullProxy proxy) throws Exception {
        return new String(Proxies.get("http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics").body(),
                StandardCharsets.UTF_8);
    }
}
