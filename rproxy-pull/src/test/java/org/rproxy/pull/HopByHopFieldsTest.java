package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * The fields an upstream's {@code Connection} names are hop-by-hop (RFC 9110 §7.6.1): a pull
 * proxy passes none of them on, nor {@code Connection} itself, but never a field the origin's
 * signature covers, which a client needs to verify the copy (real sockets: a raw loopback
 * upstream and the JDK's HTTP client).
 */
class HopByHopFieldsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final TestSigner ORIGIN = new TestSigner();

    @TempDir
    Path dir;

    /** Answers every GET with a document signed for its path, with {@code extra} header lines. */
    private static RawUpstream.Answer signed(List<String> extra) {
        return (head, s) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            Variant v = ORIGIN.sign(target, "{\"a\":1}", false, NOW, Duration.ofHours(1), 60).identity();
            List<String> headers = new ArrayList<>(extra);
            v.headers().forEach(h -> headers.add(h.name() + ": " + h.value()));
            headers.add("cache-control: max-age=60");
            RawUpstream.respond(200, headers, v.body().unsafeArray()).answer(head, s);
        };
    }

    @Test
    void theFieldsTheUpstreamsConnectionNamesAreNotPassedOn() throws Exception {
        HttpResponse<byte[]> r = getThrough(List.of("Connection: close, X-Hop", "X-Hop: 1", "Keep-Alive: timeout=5",
                "X-End: 2"));
        assertEquals(200, r.statusCode());
        assertEquals(List.of(), r.headers().allValues("x-hop"), "named in Connection");
        assertEquals(List.of(), r.headers().allValues("keep-alive"));
        assertEquals(List.of("2"), r.headers().allValues("x-end"), "an end-to-end field stays");
    }

    @Test
    void aSignedFieldTheConnectionNamesIsKeptAndTheCopyStillVerifies() throws Exception {
        HttpResponse<byte[]> r = getThrough(List.of("Connection: ETag, content-digest", "Connection: X-Hop",
                "X-Hop: 1"));
        assertEquals(200, r.statusCode());
        assertEquals(List.of(), r.headers().allValues("x-hop"));
        assertTrue(r.headers().firstValue("etag").isPresent(), "signed: kept");
        assertTrue(r.headers().firstValue("content-digest").isPresent(), "signed: kept");
        Verdict v = new ResponseVerifier(List.of(ORIGIN.publicKey()), new MutableClock(NOW))
                .verify(name -> r.headers().allValues(name).isEmpty() ? null
                        : String.join(", ", r.headers().allValues(name)), r.body(),
                        new ResponseVerifier.Expectation("/networkmap/a", null));
        assertTrue(v.valid(), v.reason());
    }

    private HttpResponse<byte[]> getThrough(List<String> extra) throws Exception {
        MutableClock clock = new MutableClock(NOW);
        try (RawUpstream up = new RawUpstream(signed(extra));
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + "/networkmap/a"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private ProxyConfig config(String upstream) throws IOException {
        Path pub = ORIGIN.writePublic(dir.resolve("origin-" + System.nanoTime() + ".pem"));
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofSeconds(20)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
    }
}
