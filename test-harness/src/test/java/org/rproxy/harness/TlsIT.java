package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * TLS on both sides of a proxy, with certificates made in the test: an HTTPS origin, a proxy that
 * checks the origin's certificate (against the CA file it is given) and serves HTTPS itself, and
 * a client that trusts only the test certificates. A proxy that does not trust the origin's
 * certificate gets nothing from it and says so with a 504.
 */
class TlsIT {
    static final String MAP = "/networkmap/default-network-map";
    static final String BIG = "/networkmap/big-network-map";

    @TempDir
    Path dir;
    TestCertificates originCert;
    TestCertificates proxyCert;
    Origin origin;
    Path pub;

    @BeforeEach
    void start() throws Exception {
        originCert = TestCertificates.make(dir, "origin-tls");
        proxyCert = TestCertificates.make(dir, "proxy-tls");
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        Files.writeString(maps.resolve("big-network-map.json"), OriginEndToEndIT.bigNetworkMap(5_000));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        FrontEndConfig https = FrontEndConfig.defaults("127.0.0.1", 0)
                .withSslContext(Tls.server(new TlsConfig(originCert.cert(), originCert.key())));
        origin = Origin.start(new OriginConfig(https, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60),
                List.of(), "tls-origin", null));
        assertEquals(originUrl(), origin.baseUri(), "the origin names its https address itself");
    }

    @AfterEach
    void stop() {
        origin.close();
    }

    private String originUrl() {
        return "https://127.0.0.1:" + origin.address().getPort();
    }

    private ProxyConfig proxyConfig(Path upstreamCa) {
        ProxyConfig c = Proxies.config("edge", originUrl(), pub);
        return c.withUpstream(c.upstream().withCa(upstreamCa))
                .withListen(new ListenConfig(c.listen().address(), new TlsConfig(proxyCert.cert(), proxyCert.key())));
    }

    @Test
    void httpsOnBothSidesServesVerifiableDocuments() throws Exception {
        try (PullProxy proxy = PullProxy.start(proxyConfig(originCert.cert()))) {
            assertTrue(proxy.baseUri().startsWith("https://"), proxy.baseUri());
            HttpClient client = HttpClient.newBuilder().sslContext(proxyCert.trustingContext()).build();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + MAP)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            Verdict v = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC())
                    .verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(MAP, null));
            assertTrue(v.valid(), v.toString());
            assertNull(new IndependentVerifier(pub).check(n -> r.headers().firstValue(n).orElse(null), r.body()));
            assertEquals("1.1 edge", r.headers().firstValue("via").orElse(null));

            HttpClient untrusting = HttpClient.newBuilder().sslContext(originCert.trustingContext()).build();
            assertThrows(IOException.class, () -> untrusting.send(
                    HttpRequest.newBuilder(URI.create(proxy.baseUri() + MAP)).build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void aLargeMapOverTlsIsCopiedFromMemoryNotSentFromItsSpoolFileAndVerifies() throws Exception {
        ProxyConfig c = proxyConfig(originCert.cert());
        // the big map (a few hundred KB, below the default spool-min-bytes) is spooled from 64 KB
        c = c.withCache(new CacheConfig(c.cache().maxBytes(), null, null, true, null, ByteSize.ofBytes(64 * 1024)));
        try (PullProxy proxy = PullProxy.start(c)) {
            HttpClient client = HttpClient.newBuilder().sslContext(proxyCert.trustingContext())
                    .version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + BIG)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(r.body().length > 128 * 1024, "large enough to be spooled: " + r.body().length);
            Verdict v = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC())
                    .verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(BIG, null));
            assertTrue(v.valid(), v.toString());
            assertTrue(proxy.registry().get("rproxy.store.spooled.bytes").gauge().value() >= r.body().length,
                    "the store spooled it");
            assertEquals(0, proxy.registry().get("rproxy.store.spool.sends").functionCounter().count(),
                    "but TLS must encrypt every byte: the copying path served it");
        }
    }

    @Test
    void aProxyThatDoesNotTrustTheOriginsCertificateGetsNothingFromIt() throws Exception {
        try (PullProxy proxy = PullProxy.start(proxyConfig(proxyCert.cert()))) {
            HttpClient client = HttpClient.newBuilder().sslContext(proxyCert.trustingContext()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + MAP)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(504, r.statusCode(), r.body());
            assertTrue(r.body().contains("no valid copy"), r.body());
        }
    }
}
