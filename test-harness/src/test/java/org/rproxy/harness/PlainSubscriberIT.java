package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.origin.UnsignedUpstreamMaps;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * An RFC 8895 client that knows nothing of this project (the test's own {@link SseClient}: it
 * sends the standard parameters, reads only the events of the media types it asked for, and
 * ignores the rest, signature events included) follows a network map and a cost map at every kind
 * of node: the origin, a push proxy, a pull proxy and a signing front. At each it receives the
 * full documents, then the change after the maps change (a maps file edited; for the signing
 * front, the unsigned server's maps), and, subscribing again with the vtag of the network map it
 * holds, is sent no network map again.
 */
class PlainSubscriberIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Short, so that the pull proxy revalidates (and streams) a change within a few seconds. */
    private static final Duration MAX_AGE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    /** What a test's client follows and how the change shows in the cost map's updates. */
    record Follow(String networkMap, String costMap, Predicate<String> changed) {
    }

    private static final Follow SAMPLES = new Follow("default-network-map", "routingcost-map",
            data -> data.contains("\"PID2\":77"));

    @Test
    void atTheOrigin() throws Exception {
        try (Lab lab = Lab.origin(dir)) {
            followChangeAndResume(lab.origin.baseUri(), SAMPLES, () -> PushTree.writeRoutingCost(lab.maps, 77));
        }
    }

    @Test
    void atAPushProxy() throws Exception {
        try (Lab lab = Lab.origin(dir);
             PushPullProxy push = PushPullProxy.start(Proxies.config("push", lab.origin.baseUri(), lab.pub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            PushTree.await(WAIT, "push proxy ready", () -> push.notReadyBecause() == null);
            followChangeAndResume(push.baseUri(), SAMPLES, () -> PushTree.writeRoutingCost(lab.maps, 77));
        }
    }

    @Test
    void atAPullProxy() throws Exception {
        try (Lab lab = Lab.origin(dir); StreamingPull pull = Lab.pull(lab.origin.baseUri(), lab.pub)) {
            PushTree.await(WAIT, "pull proxy ready", () -> pull.pull().notReadyBecause() == null);
            followChangeAndResume(pull.pull().baseUri(), SAMPLES, () -> PushTree.writeRoutingCost(lab.maps, 77));
        }
    }

    @Test
    void atASigningFront() throws Exception {
        try (UnsignedServer unsigned = new UnsignedServer(); Lab lab = Lab.signingFront(dir, unsigned, Duration.ofMillis(300))) {
            followChangeAndResume(lab.origin.baseUri(), new Follow("my-default-network-map", "numerical-routing-cost-map",
                    data -> data.contains(SigningFrontIT.TAG2)), unsigned::change);
        }
    }

    /** Subscribes as a plain client, sees the full documents, then the change; resumes with the vtag held. */
    static void followChangeAndResume(String base, Follow f, PushTree.ThrowingRunnable change) throws Exception {
        String nmType = "application/alto-networkmap+json,nm";
        String rcType = "application/alto-costmap+json,rc";
        String vtag;
        try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", "{\"add\":{\"nm\":{\"resource-id\":\""
                + f.networkMap() + "\"},\"rc\":{\"resource-id\":\"" + f.costMap() + "\"}}}")) {
            SseClient.Event control = sse.next(WAIT);
            assertEquals("application/alto-updatestreamcontrol+json", control.type(), control.data());
            assertTrue(JSON.readTree(control.data()).path("control-uri").asText().startsWith(base + "/updates/control/"),
                    control.data());
            List<SseClient.Event> seen = new ArrayList<>();
            SseClient.Event nm = awaitType(sse, nmType, seen);
            vtag = JSON.readTree(nm.data()).path("meta").path("vtag").path("tag").asText(null);
            assertNotNull(vtag, nm.data());
            SseClient.Event rc = awaitType(sse, rcType, seen);
            assertFalse(f.changed().test(rc.data()), rc.data());
            change.run();
            SseClient.Event update = awaitData(sse, ",rc", f.changed(), seen);
            assertTrue(update.type().equals("application/merge-patch+json,rc") || update.type().equals(rcType),
                    update.type());
            // The network map may change too (the signing front's does): the client holds what was sent last.
            for (SseClient.Event e : seen) {
                String tag = e.type().endsWith(",nm") ? vtagIn(e.data()) : null;
                vtag = tag != null ? tag : vtag;
            }
        }
        try (SseClient again = new SseClient(Proxies.HTTP, base + "/updates", "{\"add\":{\"nm\":{\"resource-id\":\""
                + f.networkMap() + "\",\"tag\":\"" + vtag + "\"},\"rc\":{\"resource-id\":\"" + f.costMap() + "\"}}}")) {
            List<SseClient.Event> seen = new ArrayList<>();
            SseClient.Event rc = awaitType(again, rcType, seen);
            assertTrue(f.changed().test(rc.data()), rc.data());
            // The stream sends substreams in the order added, so a network map due would have come first.
            for (SseClient.Event e : seen) {
                assertFalse(e.type().startsWith("application/alto-networkmap+json")
                        || e.type().startsWith("application/merge-patch+json"), "resumed with " + vtag + ": " + e);
            }
        }
    }

    private static String vtagIn(String data) {
        try {
            JsonNode tag = JSON.readTree(data).path("meta").path("vtag").path("tag");
            return tag.isTextual() ? tag.asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The next event of {@code type}; every event read meanwhile is added to {@code seen}. */
    static SseClient.Event awaitType(SseClient sse, String type, List<SseClient.Event> seen) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            SseClient.Event e = next(sse, deadline, type, seen);
            assertFalse(e.type().equals("closed") || e.type().equals("status"), e.toString());
            seen.add(e);
            if (e.type().equals(type)) {
                return e;
            }
        }
    }

    private static SseClient.Event next(SseClient sse, long deadline, String awaited, List<SseClient.Event> seen)
            throws InterruptedException {
        try {
            return sse.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (AssertionError e) {
            throw new AssertionError("no " + awaited + " event; the stream sent " + seen, e);
        }
    }

    /** The next event whose type ends with {@code suffix} and whose data passes {@code test}. */
    static SseClient.Event awaitData(SseClient sse, String suffix, Predicate<String> test, List<SseClient.Event> seen)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            SseClient.Event e = next(sse, deadline, suffix, seen);
            assertFalse(e.type().equals("closed") || e.type().equals("status"), e.toString());
            seen.add(e);
            if (e.type().endsWith(suffix) && !e.type().startsWith("application/alto-redist-signature") && test.test(e.data())) {
                return e;
            }
        }
    }

    @Test
    void aGetOfTheStreamOrAControlUriIs405WithAllowPost() throws Exception {
        try (Lab lab = Lab.origin(dir)) {
            for (String path : List.of("/updates", "/updates/control/abc")) {
                HttpResponse<String> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(lab.origin.baseUri() + path))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(405, r.statusCode(), r.body());
                assertEquals("POST", r.headers().firstValue("allow").orElse(null), path);
                assertEquals("method", JSON.readTree(r.body()).path("meta").path("field").asText(), r.body());
            }
        }
    }

    @Test
    void theLonePullProxyRefusesToForwardAnUpdateStreamAtOnce() throws Exception {
        try (Lab lab = Lab.origin(dir); PullProxy lone = Proxies.start("lone", lab.origin.baseUri(), lab.pub, Clock.systemUTC())) {
            for (String path : List.of("/updates", "/updates/control/abc")) {
                HttpResponse<String> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(lone.baseUri() + path))
                        .timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "application/alto-updatestreamparams+json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"add\":{\"nm\":{\"resource-id\":\"default-network-map\"}}}"))
                        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                assertEquals(404, r.statusCode(), r.body());
                assertEquals("application/alto-error+json", r.headers().firstValue("content-type").orElse(null));
                assertEquals("uri", JSON.readTree(r.body()).path("meta").path("field").asText(), r.body());
            }
            assertEquals(0, lab.publisher.stats().subscribers(), "nothing was forwarded to the origin's stream");
        }
    }

    /** An origin (file or signing front) with its update stream, its key pair and, for a file origin, its maps. */
    static final class Lab implements AutoCloseable {
        final Origin origin;
        final UpdatePublisher publisher;
        final Path maps;
        final Path pub;
        private final UnsignedUpstreamMaps source;

        private Lab(Origin origin, UpdatePublisher publisher, Path maps, Path pub, UnsignedUpstreamMaps source) {
            this.origin = origin;
            this.publisher = publisher;
            this.maps = maps;
            this.pub = pub;
            this.source = source;
        }

        static Lab origin(Path dir) throws Exception {
            return origin(dir, MAX_AGE);
        }

        /** An origin whose documents go out with {@code maxAge}. */
        static Lab origin(Path dir, Duration maxAge) throws Exception {
            Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
            Path priv = keys(dir);
            UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
            Origin origin = Origin.start(config(maps, priv, maxAge), Clock.systemUTC(), publisher);
            return new Lab(origin, publisher, maps, dir.resolve("origin.pub"), null);
        }

        static Lab signingFront(Path dir, UnsignedServer unsigned, Duration poll) throws Exception {
            Path priv = keys(dir);
            UnsignedUpstreamMaps source = UnsignedUpstreamMaps.connect(URI.create(unsigned.base() + "/directory"), null,
                    Duration.ofSeconds(5));
            UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
            Origin front = Origin.start(config(null, priv, MAX_AGE), source, poll, Clock.systemUTC(), publisher);
            return new Lab(front, publisher, null, dir.resolve("origin.pub"), source);
        }

        /** A pull proxy with its update stream, as {@code rproxy proxy --mode pull} runs it. */
        static StreamingPull pull(String upstream, Path pub) {
            ProxyConfig c = Proxies.config("pull", upstream, pub);
            return StreamingPull.start(c, StreamingPull.streamConfig(c), Clock.systemUTC());
        }

        private static OriginConfig config(Path maps, Path priv, Duration maxAge) {
            return new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv, Duration.ofHours(1), maxAge,
                    List.of(), "plain-subscriber-origin", null).withDeleteSettle(PushTree.DELETE_SETTLE);
        }

        private static Path keys(Path dir) throws Exception {
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
            Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
            return PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        }

        @Override
        public void close() {
            origin.close();
            publisher.close();
            if (source != null) {
                source.close();
            }
        }
    }
}
