package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.TestSigner;

/**
 * The proxy's signature checks are a meter on its admin listener's {@code /metrics}
 * ({@code rproxy_signature_checks_total}), read over a real socket: what its verifier counted,
 * one per variant of the version pulled, and nothing more for answers from the copy held.
 */
class SignatureChecksMeterTest {
    private static final String DOC = "/networkmap/a";

    @TempDir
    Path dir;

    private volatile Representation served;

    @Test
    void theVerifiersSignatureChecksAreOnMetrics() throws Exception {
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pem"));
        Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(10);
        served = signer.sign(DOC, "{\"network-map\":{\"v\":1}}", true, created, Duration.ofHours(1), 3600);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RawUpstream up = new RawUpstream(RawUpstream.variants(DOC, () -> served)); PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            String metrics = "http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics";
            long before = checks(http, metrics);
            assertEquals(proxy.verifier().signatureChecks(), before, "the verifier's count, from the start");

            for (boolean gzip : new boolean[] {true, false, true}) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.baseUri() + DOC));
                if (gzip) {
                    b.header("accept-encoding", "gzip");
                }
                assertEquals(200, http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            assertEquals(before + 2, checks(http, metrics), "the identity and the gzip variant, once each");
            assertEquals(proxy.verifier().signatureChecks(), checks(http, metrics));
        }
    }

    /** The value of rproxy_signature_checks_total on the page at {@code url}. */
    private static long checks(HttpClient http, String url) throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, page.statusCode());
        List<Long> found = new ArrayList<>();
        for (String line : page.body().split("\n")) {
            if (line.startsWith("rproxy_signature_checks_total ")) {
                found.add((long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim()));
            }
        }
        assertEquals(1, found.size(), "one series of rproxy_signature_checks_total on " + url);
        return found.get(0);
    }

    private static ProxyConfig config(String upstream, Path pub) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofSeconds(5)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMillis(1),
                        Duration.ofHours(1)),
                new AdminConfig(new Address("127.0.0.1", 0)));
    }
}
