package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.UpdatePublisher;

/**
 * A map deleted at the origin leaves a push tree (origin, P1 under it, P2 under P1, both
 * {@code --mode push}) within about a round trip per hop, not a {@code max-age} per hop. A push
 * proxy does not drop a document on its upstream's {@code stopped} (an untrusted hop could send
 * it): its pull half revalidates it at once, directory first, and the signed answers decide. It
 * revalidated only on its schedule, so with a {@code max-age} of 10 minutes P2 went on serving the
 * deleted map, and its subscribers heard no {@code stopped}, for up to 10 minutes a hop. And a
 * stop the signed answers do not bear out (the map is still there) drops nothing.
 */
class StoppedDownAPushTreeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXTRA_FILE = "extra-network-map.json";
    private static final String EXTRA = "/networkmap/extra-network-map";
    /** The origin's max-age: the old code's delay per hop. */
    private static final Duration MAX_AGE = Duration.ofMinutes(10);
    /** Far below {@link #MAX_AGE}, generous for a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aDeletedMapLeavesEveryHopWithinRoundTripsAndAnUnfoundedStopDropsNothing() throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        Files.writeString(maps.resolve(EXTRA_FILE),
                "{\"network-map\":{\"X1\":{\"ipv4\":[\"192.0.2.0/24\"]},\"X2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        try (UpdatePublisher originStream = new UpdatePublisher(PushTree.streamConfig());
             Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                     Duration.ofHours(1), MAX_AGE, List.of(), "tree-origin", null)
                     .withDeleteSettle(PushTree.DELETE_SETTLE), Clock.systemUTC(), originStream);
             PushPullProxy p1 = pushProxy("p1", origin.baseUri(), pub);
             PushPullProxy p2 = pushProxy("p2", p1.baseUri(), pub)) {
            PushTree.await(BOUND, "P2's feed holds the extra map and the cost map",
                    () -> p2.feed().held().containsKey(EXTRA) && p2.feed().held().containsKey(PushTree.COST_MAP));
            assertEquals(200, RetiredMapStreamIT.status(p2.baseUri() + EXTRA));
            try (SseClient sse = new SseClient(Proxies.HTTP, p2.baseUri() + "/updates",
                    "{\"add\":{\"x\":{\"resource-id\":\"extra-network-map\"}}}")) {
                assertEquals("application/alto-updatestreamcontrol+json", sse.next(BOUND).type());
                sse.next("application/alto-networkmap+json,x", BOUND);

                long deleted = System.nanoTime();
                Files.delete(maps.resolve(EXTRA_FILE));
                JsonNode stopped = null;
                while (stopped == null) {
                    // fails when nothing comes within the bound
                    SseClient.Event e = sse.next(Duration.ofNanos(Math.max(1, deleted + BOUND.toNanos() - System.nanoTime())));
                    if (e.type().equals("application/alto-updatestreamcontrol+json") && JSON.readTree(e.data()).has("stopped")) {
                        stopped = JSON.readTree(e.data());
                    }
                }
                assertEquals("x", stopped.path("stopped").path(0).asText(), stopped.toString());
                PushTree.await(Duration.ofNanos(Math.max(1, deleted + BOUND.toNanos() - System.nanoTime())),
                        "P2 answers 404 for the deleted map", () -> RetiredMapStreamIT.status(p2.baseUri() + EXTRA) == 404);
            }

            // a stop the origin does not bear out, as an untrusted hop could send: the map is revalidated, and stays
            for (PushPullProxy p : List.of(p1, p2)) {
                double before = revalidations(p);
                // asked again until one is made: not within min-interval of the copy's last attempt
                PushTree.await(BOUND, p.baseUri() + " revalidated the cost map", () -> {
                    p.pull().revalidateNow(PushTree.COST_MAP);
                    return revalidations(p) > before && !p.pull().heldSignedTargets().isEmpty();
                });
            }
            assertTrue(p1.pull().heldSignedTargets().contains(PushTree.COST_MAP), "P1 dropped a map the origin has");
            assertTrue(p2.pull().heldSignedTargets().contains(PushTree.COST_MAP), "P2 dropped a map the origin has");
            assertEquals(200, RetiredMapStreamIT.status(p2.baseUri() + PushTree.COST_MAP));
        }
    }

    /** The proxy's upstream attempts of kind {@code revalidate} that have ended, however. */
    private static double revalidations(PushPullProxy p) {
        return p.pull().registry().find("rproxy.upstream.fetches").tag("kind", "revalidate").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static PushPullProxy pushProxy(String name, String upstream, Path pub) {
        PushFeedConfig feed = PushFeedConfig.of(java.net.URI.create(upstream)).withReadTimeout(PushTree.STEADY_READ_TIMEOUT)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400));
        return PushPullProxy.start(Proxies.config(name, upstream, pub), feed, PushTree.streamConfig(), null,
                Clock.systemUTC());
    }
}
