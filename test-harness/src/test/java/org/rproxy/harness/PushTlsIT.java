package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.config.ConfigLoader;
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
import org.rproxy.push.UpdatePublisher;

/**
 * Push mode over TLS on every hop, configured as an operator would (YAML with {@code listen.tls},
 * {@code upstream.ca} and {@code push:}): https origin → regional push proxy → edge push proxy,
 * each trusting only its upstream's certificate, which is made in the test. A change of a file
 * reaches the edge by the update stream and verifies. A proxy whose CA file does not vouch for
 * the upstream's certificate, or whose upstream's certificate names another host, reads nothing
 * from it, never subscribes, and says why at {@code /readyz}.
 */
class PushTlsIT {
    private static final String COST_MAP = PushTree.COST_MAP;

    @TempDir
    static Path dir;

    static TestCertificates originCert;
    static TestCertificates regionalCert;
    static TestCertificates edgeCert;
    static Path maps;
    static Path pub;
    static ResponseVerifier verifier;
    static IndependentVerifier independent;
    static UpdatePublisher originStream;
    static Origin origin;
    static PushPullProxy regional;
    static PushPullProxy edge;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        originCert = TestCertificates.make(dir, "origin-tls");
        regionalCert = TestCertificates.make(dir, "regional-tls");
        edgeCert = TestCertificates.make(dir, "edge-tls");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestCertificates.trusting(originCert, regionalCert, edgeCert))
                .connectTimeout(Duration.ofSeconds(5)).build();
        maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        verifier = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC());
        independent = new IndependentVerifier(pub);
        // As `rproxy origin --tls-cert` sets it up: control URIs on https, which push proxies require.
        originStream = new UpdatePublisher(PushTree.streamConfig().withBase(true, null));
        FrontEndConfig https = FrontEndConfig.defaults("127.0.0.1", 0)
                .withSslContext(Tls.server(new TlsConfig(originCert.cert(), originCert.key())));
        origin = Origin.start(new OriginConfig(https, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60),
                List.of(), "push-tls-it", "https://127.0.0.1:0"), Clock.systemUTC(), originStream);
        regional = proxy("regional", originUrl(), originCert.cert(), regionalCert);
        edge = proxy("edge", regional.baseUri(), regionalCert.cert(), edgeCert);
        PushTree.await(Duration.ofSeconds(30), "edge holds the cost map",
                () -> edge.feed().held().containsKey(COST_MAP) && edge.feed().stats().connected());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {edge, regional, origin, originStream}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static String originUrl() {
        return "https://127.0.0.1:" + origin.address().getPort();
    }

    /**
     * A push proxy from a YAML file: https listener with {@code own}, https upstream trusting {@code ca}.
     * Its read timeout is 5 s: what is tested here is TLS on every hop, not how soon a silent
     * stream is given up. At 1 s, on a machine at load 30 to 40, the proxies' streams were taken
     * for dead between heartbeats and reopened, and their directory fetches timed out: the tree
     * was not up within its 10 s, and the regional proxy's stream reopened during a refusal
     * check, which then saw the origin's subscribers go from 0 to 1 (4 of 8 runs).
     */
    private static PushPullProxy proxy(String name, String upstream, Path ca, TestCertificates own) {
        String yaml = "mode: push\nname: " + name + "\n"
                + "listen:\n  address: 127.0.0.1:0\n  tls: {cert: '" + own.cert() + "', key: '" + own.key() + "'}\n"
                + "upstream:\n  url: " + upstream + "\n  trust: ['" + pub + "']\n  ca: '" + ca + "'\n"
                + "admin: {address: '127.0.0.1:0'}\n"
                + "push: {heartbeat: 500ms, read-timeout: 5s, backoff-min: 50ms, backoff-max: 400ms}\n";
        ProxyConfig c = new ConfigLoader().read(yaml, name + ".yaml", ProxyConfig.class);
        return PushPullProxy.start(c, Clock.systemUTC());
    }

    private static HttpResponse<byte[]> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String bodyOrNull(String base, String path) {
        try {
            HttpResponse<byte[]> r = get(base + path);
            return r.statusCode() == 200 ? new String(r.body(), StandardCharsets.UTF_8) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static String verifiedBody(String base, String path) throws Exception {
        HttpResponse<byte[]> r = get(base + path);
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), Expectation.path(path));
        assertTrue(v.valid(), path + " at " + base + ": " + v);
        assertNull(independent.check(n -> r.headers().firstValue(n).orElse(null), r.body()), path);
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static void writeRoutingCost(int cost) throws IOException {
        PushTree.writeRoutingCost(maps, cost);
    }

    private static HttpResponse<String> readyz(PushPullProxy p) throws Exception {
        URI admin = URI.create("http://127.0.0.1:" + p.pull().adminAddress().getPort() + "/readyz");
        return Proxies.HTTP.send(HttpRequest.newBuilder(admin).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFileChangeReachesTheEdgeThroughTwoHttpsHopsByTheStreamAndVerifies() throws Exception {
        assertTrue(regional.baseUri().startsWith("https://"), regional.baseUri());
        assertTrue(edge.baseUri().startsWith("https://"), edge.baseUri());
        long updates = edge.feed().stats().updates();
        writeRoutingCost(83);
        // The origin's max-age is 60 s: within 3 s the change can only have come by the stream.
        PushTree.await(Duration.ofSeconds(3), "edge serves the change",
                () -> String.valueOf(bodyOrNull(edge.baseUri(), COST_MAP)).contains("\"PID2\":83"));
        assertEquals(verifiedBody(originUrl(), COST_MAP), verifiedBody(edge.baseUri(), COST_MAP));
        assertTrue(edge.feed().stats().updates() > updates, "the edge's feed took the change from the stream");
        assertEquals(0, edge.feed().stats().rejected());
        assertNull(edge.notReadyBecause());
        assertEquals(200, readyz(edge).statusCode());
    }

    @Test
    void theEdgesOwnUpdateStreamIsServedOverHttpsOnly() throws Exception {
        String params = "{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}}}";
        try (SseClient sse = new SseClient(client, edge.baseUri() + "/updates", params)) {
            assertEquals("application/alto-updatestreamcontrol+json", sse.next(Duration.ofSeconds(5)).type());
            sse.next("application/alto-redist-signature+json,rc", Duration.ofSeconds(5));
        }
        HttpClient untrusting = HttpClient.newBuilder().sslContext(originCert.trustingContext()).build();
        assertThrows(IOException.class, () -> untrusting.send(HttpRequest.newBuilder(URI.create(edge.baseUri()
                + "/updates")).POST(HttpRequest.BodyPublishers.ofString(params))
                .header("Content-Type", "application/alto-updatestreamparams+json").build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aProxyWhoseCaDoesNotVouchForTheUpstreamNeverSubscribesAndSaysWhy() throws Exception {
        long subscribers = originStream.stats().subscribers();
        try (PushPullProxy stranger = proxy("stranger", originUrl(), edgeCert.cert(), edgeCert)) {
            assertRefused(stranger, originStream, subscribers, "certification path");
        }
    }

    @Test
    void anUpstreamCertificateForAnotherHostIsRefusedEvenWhenItsCaIsTrusted() throws Exception {
        TestCertificates wrongName = TestCertificates.makeFor(dir, "wrong-name", "other.example");
        try (PushPullProxy impostor = proxy("impostor", originUrl(), originCert.cert(), wrongName);
             PushPullProxy victim = proxy("victim", impostor.baseUri(), wrongName.cert(), edgeCert)) {
            PushTree.await(Duration.ofSeconds(10), "the impostor itself is subscribed",
                    () -> impostor.feed().held().containsKey(COST_MAP));
            assertRefused(victim, impostor.publisher(), 0, "127.0.0.1");
        }
    }

    /** How a certificate refused is worded: by core's {@code TransportFailures}, as the client library words it. */
    private static final String REFUSED_CERTIFICATE = "the server's certificate is not accepted: ";

    /** {@code p} tried, failed the handshake, holds nothing, opened no stream, and says so at /readyz. */
    private static void assertRefused(PushPullProxy p, UpdatePublisher upstream, long subscribersBefore, String detail)
            throws Exception {
        PushTree.await(Duration.ofSeconds(30), "a failed attempt is reported", () -> {
            String why = p.feed().notReadyBecause();
            return why != null && why.contains(REFUSED_CERTIFICATE);
        });
        String why = p.notReadyBecause();
        // The pull half is not ready either: the directory it always keeps fresh is not held.
        assertTrue(why.contains("no update stream from https://127.0.0.1:"), why);
        assertTrue(why.contains(detail), why);
        HttpResponse<String> ready = readyz(p);
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains(REFUSED_CERTIFICATE), ready.body());
        assertFalse(p.feed().stats().connected());
        assertEquals(0, p.feed().stats().connects(), "no stream was ever opened");
        assertTrue(p.feed().held().isEmpty(), "nothing was taken from it");
        assertEquals(subscribersBefore, upstream.stats().subscribers());
    }
}
