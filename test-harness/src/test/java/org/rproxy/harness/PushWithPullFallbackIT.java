package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.UpdatePublisher;

/**
 * The app's push mode with pull as the fallback, over real loopback sockets: origin → push proxy
 * ({@link PushPullProxy}), whose update stream runs through a {@link Relay} while its pull half
 * goes straight to the origin. Queries are pulled; a file change arrives by the stream (the push
 * feed's own copy has it); with the stream's path gone, the proxy keeps serving and picks a change
 * up by pull refresh (the origin's max-age is two seconds). What is proved is the path each change
 * takes, not its speed ("within a second" is the harness's {@code push-storm} scenario's to
 * measure): each wait is a hang's deadline, and the feed reads with the steady read timeout, since
 * the relay's close ends the stream by a close, not by silence (a 1 s read timeout here ended
 * healthy streams whenever a loaded machine held the feed off the CPU for a second).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PushWithPullFallbackIT {
    private static final String COST_MAP = PushTree.COST_MAP;
    /** How long a step may take before the test calls it lost: a hang's deadline, not a speed. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    static Path maps;
    static UpdatePublisher originStream;
    static Origin origin;
    static Relay relay;
    static PushPullProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        originStream = new UpdatePublisher(PushTree.streamConfig());
        origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(2), List.of(), "fallback-it", null), Clock.systemUTC(),
                originStream);
        relay = new Relay(origin.address().getPort());
        PushFeedConfig feed = PushFeedConfig.of(URI.create(relay.base())).withReadTimeout(PushTree.STEADY_READ_TIMEOUT)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400));
        proxy = PushPullProxy.start(Proxies.config("push-fallback", origin.baseUri(), pub), feed,
                PushTree.streamConfig(), new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC()),
                Clock.systemUTC());
        PushTree.await(DEADLINE, "the push feed holds the cost map",
                () -> proxy.feed().held().containsKey(COST_MAP));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {proxy, relay, origin, originStream}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    @Order(1)
    void queriesAndComputedAnswersArePulledThroughThePushProxy() throws Exception {
        HttpResponse<byte[]> prop = post("/endpointprop", "application/alto-endpointpropparams+json",
                "{\"properties\":[\"default-network-map.pid\"],\"endpoints\":[\"ipv4:128.36.1.10\"]}");
        assertEquals(200, prop.statusCode(), text(prop));
        assertTrue(text(prop).contains("PID1"), text(prop));
        HttpResponse<byte[]> row = Proxies.get(proxy.baseUri() + "/cost/row?srcpid=PID1");
        assertEquals(200, row.statusCode(), text(row));
        assertTrue(text(row).contains("srcpid=\"PID1\""), text(row));
        assertTrue(row.headers().firstValue("via").orElse("").contains("push-fallback"));
    }

    @Test
    @Order(2)
    void aFileChangeArrivesByTheStream() throws Exception {
        long updates = proxy.feed().stats().updates();
        long republished = proxy.publisher().stats().updates();
        writeRoutingCost(43);
        PushTree.await(DEADLINE, "the pushed change is served",
                () -> proxy.feed().held().get(COST_MAP).identity().body().asUtf8().contains("\"PID2\":43")
                        && served(COST_MAP).contains("\"PID2\":43"));
        assertTrue(proxy.feed().stats().updates() > updates, "it came by the stream");
        PushTree.await(DEADLINE, "the proxy's own stream has the new version",
                () -> proxy.publisher().stats().updates() > republished);
    }

    @Test
    @Order(3)
    void withTheStreamCutTheProxyServesAndRefreshesByPull() throws Exception {
        relay.close();
        PushTree.await(DEADLINE, "the feed sees the stream gone", () -> !proxy.feed().stats().connected());
        writeRoutingCost(44);
        PushTree.await(DEADLINE, "the change is pulled",
                () -> served(COST_MAP).contains("\"PID2\":44"));
        assertFalse(proxy.feed().stats().connected());
        assertFalse(proxy.feed().held().get(COST_MAP).identity().body().asUtf8().contains("\"PID2\":44"),
                "not by the stream");
        assertEquals(200, Proxies.get(proxy.baseUri() + "/networkmap/default-network-map").statusCode());
    }

    private static String served(String path) {
        try {
            HttpResponse<byte[]> r = Proxies.get(proxy.baseUri() + path);
            return r.statusCode() == 200 ? text(r) : "";
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<byte[]> post(String path, String type, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(proxy.baseUri() + path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return Proxies.HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static void writeRoutingCost(int cost) throws IOException {
        PushTree.writeRoutingCost(maps, cost);
    }
}
