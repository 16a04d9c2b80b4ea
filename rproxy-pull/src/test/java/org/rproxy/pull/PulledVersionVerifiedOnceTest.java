package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.TestSigner;

/**
 * A pulled version is verified once, however many parts of the node take it: each variant's
 * signature is checked once as it is admitted, and the copy is handed on (to the overlay
 * publisher, {@link PullProxy#addVerifiedListener}) as the {@link VerifiedRepresentation} that
 * check made, which its taker need not verify again. Before, the overlay publisher was handed the
 * held representation and verified its identity variant again with the proxy's verifier: three
 * checks for the two variants. Counted by the proxy's verifier ({@code signatureChecks}); real
 * sockets (a raw loopback upstream, the JDK's HTTP client).
 */
class PulledVersionVerifiedOnceTest {
    private static final String DOC = "/networkmap/a";

    @TempDir
    Path dir;

    private volatile Representation served;

    @Test
    void eachVariantOfAPulledVersionIsVerifiedOnceAndHandedOnAsVerified() throws Exception {
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pem"));
        Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(10);
        served = signer.sign(DOC, "{\"network-map\":{\"v\":1}}", true, created, Duration.ofHours(1), 3600);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RawUpstream up = new RawUpstream(RawUpstream.variants(DOC, () -> served)); PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            List<VerifiedRepresentation> handedOn = new CopyOnWriteArrayList<>();
            proxy.addVerifiedListener(handedOn::add);
            long before = proxy.verifier().signatureChecks();

            assertEquals(200, get(http, proxy, true).statusCode());
            Eventually.await("the version handed on", Duration.ofSeconds(10), () -> !handedOn.isEmpty());
            assertEquals(200, get(http, proxy, false).statusCode()); // served from the copy held

            assertEquals(2, proxy.verifier().signatureChecks() - before, "the gzip variant and the identity, once each");
            assertEquals(1, handedOn.size(), "one version, handed on once: " + handedOn);
            VerifiedRepresentation copy = handedOn.get(0);
            assertTrue(copy.verifiedBy(proxy.verifier()), "made by the proxy's own verifier");
            assertEquals(DOC, copy.target());
            assertEquals(created, copy.representation().created());
            assertEquals(served.expires(), copy.representation().expires());
            assertEquals(served.identity().body(), copy.representation().identity().body());

            List<VerifiedRepresentation> late = new ArrayList<>();
            proxy.addVerifiedListener(late::add);
            assertEquals(List.of(copy), late, "a listener added later is told of the copy held, as verified");
            assertEquals(2, proxy.verifier().signatureChecks() - before, "and nothing is verified again");
        }
    }

    private static HttpResponse<byte[]> get(HttpClient http, PullProxy proxy, boolean gzip) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.baseUri() + DOC));
        if (gzip) {
            b.header("accept-encoding", "gzip");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static ProxyConfig config(String upstream, Path pub) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofSeconds(5)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMillis(1),
                        Duration.ofHours(1)),
                null);
    }
}
