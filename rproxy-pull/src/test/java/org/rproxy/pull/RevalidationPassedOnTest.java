package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * What a pull proxy's upstream said of revalidation goes on downstream: {@code must-revalidate}
 * and {@code proxy-revalidate} as they came, {@code s-maxage} as {@code proxy-revalidate} (its
 * meaning for a shared cache, RFC 9111 §5.2.2.10) beside the {@code max-age} it set, and then no
 * stale window, which nginx would apply whatever the directive beside it says. A seeded bundle
 * kept from such a response goes out saying it too. Before, the proxy built its
 * {@code Cache-Control} from the signature alone: caches downstream got
 * {@code stale-while-revalidate} and {@code stale-if-error} windows for a copy its upstream said
 * must not be served stale. (Real sockets: a raw loopback upstream and the JDK's HTTP client.)
 */
class RevalidationPassedOnTest {
    /** Now: the front end counts the windows it writes on the system's clock. */
    private static final Instant NOW = Clock.systemUTC().instant().truncatedTo(ChronoUnit.SECONDS);
    private static final TestSigner ORIGIN = new TestSigner();
    private static final String MAP = "/networkmap/a";

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max-age=60, stale-while-revalidate=60, stale-if-error=600, must-revalidate | 60 | must-revalidate",
            "max-age=60, stale-while-revalidate=60, stale-if-error=600, proxy-revalidate | 60 | proxy-revalidate",
            "max-age=600, s-maxage=60, stale-while-revalidate=60, stale-if-error=600 | 60 | proxy-revalidate"})
    void aRevalidationTheUpstreamAskedForGoesOnWithoutStaleWindows(String upstream, long maxAge, String directive)
            throws Exception {
        List<String> cc = directives(getThrough(upstream));
        assertEquals(List.of("max-age=" + maxAge, "no-transform", "stale-while-revalidate=0", directive), cc,
                "from upstream: " + upstream);
    }

    /** The control: without such a directive, the windows the signature allows go on. */
    @Test
    void withoutOneTheStaleWindowsGoOn() throws Exception {
        List<String> cc = directives(getThrough("max-age=60, stale-while-revalidate=60, stale-if-error=600"));
        assertEquals(List.of("max-age=60", "no-transform"), cc.subList(0, 2));
        assertTrue(cc.get(2).startsWith("stale-while-revalidate="), cc.toString());
        assertFalse(cc.contains("must-revalidate") || cc.contains("proxy-revalidate"), cc.toString());
    }

    /**
     * An extension's quoted argument holding commas is one directive (RFC 9110 §5.6.4): the proxy
     * read {@code community="ops, must-revalidate, b"} as saying must-revalidate, and passed on
     * no stale window.
     */
    @Test
    void aDirectiveInsideAQuotedArgumentIsNoneOfTheUpstreams() throws Exception {
        List<String> cc = directives(getThrough(
                "max-age=60, community=\"ops, must-revalidate, b\", stale-while-revalidate=60, stale-if-error=600"));
        assertEquals(List.of("max-age=60", "no-transform"), cc.subList(0, 2));
        assertFalse(cc.contains("must-revalidate") || cc.contains("stale-while-revalidate=0"), cc.toString());
    }

    @Test
    void aSeededBundleKeptFromAMustRevalidateResponseGoesOutSayingIt() throws Exception {
        Variant v = ORIGIN.sign(MAP, "{\"a\":1}", false, NOW, Duration.ofHours(1), 60).identity();
        Map<String, List<String>> fields = new LinkedHashMap<>();
        v.headers().forEach(h -> fields.put(h.name(), List.of(h.value())));
        fields.put("Cache-Control", List.of("max-age=60, no-transform, stale-while-revalidate=60, must-revalidate"));
        SignedBundle bundle = SignedBundle.of(fields, v.body().toArray());
        MutableClock clock = new MutableClock(NOW);
        try (RawUpstream up = new RawUpstream(RawUpstream.respond(503, List.of(), new byte[0]));
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            assertTrue(proxy.offer(bundle));
            HttpResponse<byte[]> r = get(proxy);
            assertEquals(200, r.statusCode());
            assertEquals(List.of("max-age=60", "no-transform", "stale-while-revalidate=0", "must-revalidate"), directives(r));
        }
    }

    private static List<String> directives(HttpResponse<?> r) {
        List<String> out = new ArrayList<>();
        for (String d : r.headers().firstValue("cache-control").orElse("").split(",")) {
            out.add(d.trim());
        }
        return out;
    }

    /** Answers every GET with the signed document and {@code cacheControl}. */
    private HttpResponse<byte[]> getThrough(String cacheControl) throws Exception {
        RawUpstream.Answer signed = (head, s) -> {
            Variant v = ORIGIN.sign(MAP, "{\"a\":1}", false, NOW, Duration.ofHours(1), 60).identity();
            List<String> headers = new ArrayList<>();
            v.headers().forEach(h -> headers.add(h.name() + ": " + h.value()));
            headers.add("cache-control: " + cacheControl);
            RawUpstream.respond(200, headers, v.body().unsafeArray()).answer(head, s);
        };
        MutableClock clock = new MutableClock(NOW);
        try (RawUpstream up = new RawUpstream(signed);
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            return get(proxy);
        }
    }

    private static HttpResponse<byte[]> get(PullProxy proxy) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + MAP))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
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
