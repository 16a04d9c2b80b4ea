package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * What a pull proxy hands out about the keys it trusts: their ids, read-only, and a verifier on
 * them that follows what the proxy learns from the directories it holds; never the key set
 * itself, whose {@code learn} adds keys without verifying anything (real sockets: a loopback
 * upstream that answers 404, the documents offered as a push feed offers them). And of its
 * meters, a registry to bind and read them, not the Prometheus registry the admin listener scrapes.
 */
class PullProxyTrustTest {
    private static final String DIRECTORY = "/directory";
    private static final String DOC = "/networkmap/a";

    @TempDir
    Path dir;

    @Test
    void noPublicMethodHandsOutTheLiveKeySet() {
        for (Method m : PullProxy.class.getMethods()) {
            assertNotEquals(TrustedKeys.class, m.getReturnType(),
                    m + ": whoever holds the proxy could make it trust any key");
        }
    }

    @Test
    void noPublicMethodHandsOutTheScrapingRegistry() {
        for (Method m : PullProxy.class.getMethods()) {
            assertFalse(PrometheusMeterRegistry.class.isAssignableFrom(m.getReturnType()),
                    m + ": /metrics is the admin listener's; callers bind and read meters");
        }
    }

    @Test
    void theVerifierItGivesTrustsTheNextKeyOnceTheProxyHoldsADirectoryListingIt() throws Exception {
        TestSigner origin = new TestSigner();
        TestSigner next = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pem"));
        Instant created = Instant.now().minusSeconds(5);
        String body = "{\"meta\":{\"alto-redist\":{\"keys\":[" + json(origin.publicKey().jwk()) + ","
                + json(next.publicKey().jwk()) + "],\"proxies\":[]}},\"resources\":{}}";
        Representation directory = origin.sign(DIRECTORY, body, false, created, Duration.ofHours(1), 60);
        Representation signedByNext = next.sign(DOC, "{}", false, created, Duration.ofHours(1), 60);
        byte[] notFound = "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\"}}".getBytes(StandardCharsets.UTF_8);
        try (RawUpstream up = new RawUpstream(RawUpstream.respond(404,
                List.of("content-type: application/alto-error+json"), notFound));
             PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            ResponseVerifier verifier = proxy.verifier();
            Set<String> ids = proxy.trustedKeyIds();
            assertEquals(Set.of(origin.publicKey().keyId()), ids);
            assertThrows(UnsupportedOperationException.class, () -> ids.add(next.publicKey().keyId()));
            assertEquals(Outcome.UNKNOWN_KEY, verify(verifier, signedByNext, DOC));

            assertEquals(Outcome.VALID, verify(verifier, directory, DIRECTORY));
            assertTrue(proxy.offer(DIRECTORY, directory));

            assertEquals(Set.of(origin.publicKey().keyId(), next.publicKey().keyId()), proxy.trustedKeyIds());
            assertEquals(Outcome.VALID, verify(verifier, signedByNext, DOC), "the verifier given before the offer");
        }
    }

    private static Outcome verify(ResponseVerifier verifier, Representation r, String path) {
        Variant v = r.identity();
        return verifier.verify(name -> v.header(name).orElse(null), v.body().toArray(),
                ResponseVerifier.Expectation.path(path)).outcome();
    }

    private static String json(Jwk k) {
        return "{\"kty\":\"" + k.kty() + "\",\"crv\":\"" + k.crv() + "\",\"x\":\"" + k.x() + "\",\"kid\":\"" + k.kid()
                + "\",\"alg\":\"" + k.alg() + "\"}";
    }

    private static ProxyConfig config(String upstream, Path pub) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofMillis(500)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMillis(1),
                        Duration.ofHours(1)),
                null);
    }
}
