package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
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
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.app.Main;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.origin.UnsignedUpstreamMaps;
import org.rproxy.pull.PullProxy;

/**
 * The signing front: a plain, unsigned RFC 7285 server — started in the test, with
 * the RFC's own example documents — is read by {@code rproxy origin --sign-upstream}'s source,
 * whose documents then come out signed (both dialects), verify independently, travel through a
 * pull proxy unchanged, and follow the server when its maps change.
 */
class SigningFrontIT {
    static final String TAG1 = "da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785";
    static final String TAG2 = "3ee2cb7e8d63d9fab71b9b34cbf764436315542e";

    @TempDir
    Path dir;
    UnsignedServer unsigned;
    UnsignedUpstreamMaps source;
    Origin front;
    Path pub;
    ResponseVerifier verifier;
    IndependentVerifier independent;

    @BeforeEach
    void start() throws Exception {
        unsigned = new UnsignedServer();
        String base = unsigned.base();

        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        source = UnsignedUpstreamMaps.connect(URI.create(base + "/directory"), null, Duration.ofSeconds(5));
        front = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), null, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "signing-front", null),
                source, Duration.ofMillis(200), Clock.systemUTC());
        verifier = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC());
        independent = new IndependentVerifier(pub);
    }

    @AfterEach
    void stop() {
        front.close();
        source.close();
        unsigned.close();
    }

    @Test
    void theUnsignedServersMapsComeOutSignedInBothDialects() throws Exception {
        for (String t : List.of("/directory", "/networkmap/my-default-network-map",
                "/costmap/numerical-routing-cost-map", "/capability", "/prop/pid", "/cost/map")) {
            HttpResponse<byte[]> r = Proxies.get(front.baseUri() + t);
            assertValid(t, r);
        }
        String pids = new String(Proxies.get(front.baseUri() + "/prop/pid").body(), StandardCharsets.UTF_8);
        assertTrue(pids.contains("198.51.100.0/25") && pids.contains("PID3"), pids);
        String costs = new String(Proxies.get(front.baseUri() + "/costmap/numerical-routing-cost-map").body(),
                StandardCharsets.UTF_8);
        assertTrue(costs.contains("\"PID1\":{\"PID1\":1,\"PID2\":5,\"PID3\":10}"), costs);
    }

    @Test
    void aPullProxyInFrontOfTheSigningFrontServesVerifiableDocuments() throws Exception {
        try (PullProxy proxy = Proxies.start("edge", front.baseUri(), pub, Clock.systemUTC())) {
            for (String t : List.of("/networkmap/my-default-network-map", "/cost/map")) {
                assertValid(t, Proxies.get(proxy.baseUri() + t));
                assertEquals(0, Main.run("fetch", proxy.baseUri() + t, "--trust", pub.toString()));
            }
        }
    }

    @Test
    void whenTheServersMapsChangeTheFrontSignsTheNewOnes() throws Exception {
        String t = "/networkmap/my-default-network-map";
        String before = new String(Proxies.get(front.baseUri() + t).body(), StandardCharsets.UTF_8);
        assertTrue(before.contains(TAG1));
        unsigned.change();
        assertTrue(Proxies.await(() -> body(t).contains("198.51.100.0/26"), 10), body(t));
        assertValid(t, Proxies.get(front.baseUri() + t));
        assertTrue(body(t).contains(TAG2));
    }

    @Test
    void aSnapshotTakenWhileTheServerChangesIsRefusedAndTheOldMapsStay() throws Exception {
        unsigned.documents.put("/networkmap", networkMap(TAG2, "198.51.100.0/26"));
        IOException e = assertThrows(IOException.class, source::load);
        assertTrue(e.getMessage().contains("the server changed"), e.getMessage());
        assertTrue(body("/networkmap/my-default-network-map").contains("198.51.100.0/25"));
    }

    @Test
    void theOriginCommandWantsMapsOrAnUpstreamButNotBoth() throws Exception {
        Path key = dir.resolve("origin.key");
        assertEquals(2, Main.run("origin", "--key", key.toString(), "--listen", "127.0.0.1:0"));
        assertEquals(2, Main.run("origin", "--key", key.toString(), "--listen", "127.0.0.1:0", "--maps", dir.toString(),
                "--sign-upstream", "http://127.0.0.1:9/directory"));
    }

    private String body(String target) {
        try {
            return new String(Proxies.get(front.baseUri() + target).body(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertValid(String target, HttpResponse<byte[]> r) throws Exception {
        assertEquals(200, r.statusCode(), target + ": " + new String(r.body(), StandardCharsets.UTF_8));
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(target, null));
        assertTrue(v.valid(), target + ": " + v);
        assertNull(independent.check(n -> r.headers().firstValue(n).orElse(null), r.body()), target);
    }

    /** RFC 7285 §9.2.3's example, cut to one network map and one cost map; one URI absolute, one relative. */
    static String directory(String base) {
        return "{\"meta\":{\"cost-types\":{\"num-routing\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"default-alto-network-map\":\"my-default-network-map\"},"
                + "\"resources\":{\"my-default-network-map\":{\"uri\":\"" + base + "/networkmap\","
                + "\"media-type\":\"application/alto-networkmap+json\"},"
                + "\"numerical-routing-cost-map\":{\"uri\":\"/costmap/num/routingcost\","
                + "\"media-type\":\"application/alto-costmap+json\",\"capabilities\":{\"cost-type-names\":[\"num-routing\"]},"
                + "\"uses\":[\"my-default-network-map\"]}}}";
    }

    /** RFC 7285 §11.2.1.7's example network map. */
    static String networkMap(String tag, String pid1Second) {
        return "{\"meta\":{\"vtag\":{\"resource-id\":\"my-default-network-map\",\"tag\":\"" + tag + "\"}},"
                + "\"network-map\":{\"PID1\":{\"ipv4\":[\"192.0.2.0/24\",\"" + pid1Second + "\"]},"
                + "\"PID2\":{\"ipv4\":[\"198.51.100.128/25\"]},\"PID3\":{\"ipv4\":[\"0.0.0.0/0\"],\"ipv6\":[\"::/0\"]}}}";
    }

    /** RFC 7285 §11.2.3.7's example cost map. */
    static String costMap(String tag) {
        return "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"my-default-network-map\",\"tag\":\"" + tag + "\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID1\":1,\"PID2\":5,\"PID3\":10},\"PID2\":{\"PID1\":5,\"PID2\":1,\"PID3\":15},"
                + "\"PID3\":{\"PID1\":20,\"PID2\":15}}}";
    }
}
