package org.rproxy.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.pull.PullProxy;

/** Starting pull proxies on ephemeral loopback ports, and the small HTTP and waiting chores of the proxy tests. */
final class Proxies {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Proxies() {
    }

    /** A config for a proxy on 127.0.0.1:0 in front of {@code upstream}, refreshing quickly, with an admin port. */
    static ProxyConfig config(String name, String upstream, Path pub) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, name, new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofSeconds(5)),
                new CacheConfig(ByteSize.ofMegabytes(64)),
                new RefreshConfig(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofHours(1)),
                new AdminConfig(new Address("127.0.0.1", 0)));
    }

    /**
     * {@link #config} with an upstream timeout of a minute, for a proxy on a clock the test holds
     * still ({@code MutableClock}): such a proxy tries a fetch that got no answer again only once
     * its clock has passed the retry time, which a clock held still never does. Under load the
     * origin's first answer took longer than the 5 s of {@link #config}: the directory's first
     * fetch timed out, and the proxy never held it (never ready, nothing computed locally).
     */
    static ProxyConfig heldClockConfig(String name, String upstream, Path pub) {
        ProxyConfig c = config(name, upstream, pub);
        return c.withUpstream(c.upstream().withTimeout(Duration.ofMinutes(1)));
    }

    static PullProxy start(String name, String upstream, Path pub, Clock clock) {
        return PullProxy.start(config(name, upstream, pub), clock);
    }

    static HttpResponse<byte[]> get(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> get(String url) throws Exception {
        return get(url, Map.of());
    }

    static double count(MeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Waits (polling, at most {@code seconds}) until {@code condition} holds; false if it never did. */
    static boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
