package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.RankedEndpoint;
import org.rproxy.client.UpdateFollower;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.origin.Origin;

/**
 * An app vendor's viewer, written from the client library's guide alone, against a real origin
 * (with its update stream) that lists one real streaming pull proxy ({@link OriginWithProxy}): it
 * learns the key and the proxy from the origin, takes the maps from the proxy, ranks its peers,
 * follows a change through the proxy's stream, goes on through the origin's stream when the proxy
 * dies, and shuts down leaving none of the client's threads behind (the JDK's HttpClient selector
 * aside, which on Java 17 to 20 goes when the closed client is collected).
 *
 * <p>In the scenarios tier, not {@code mvn -B verify}: {@code mvn -B -Pscenarios -pl test-harness -am verify}
 * runs it (test-harness's POM says why).
 */
@Tag("scenario")
class ViewerAppIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ME = "128.36.1.5"; // PID1 in the sample maps
    private static final List<String> PEERS = List.of("130.132.3.9", "10.0.0.1", "128.36.1.77");

    @TempDir
    Path dir;

    /** What the viewer's listener heard, for the test to wait on (the overlay's viewer, {@link OverlayViewerRun}, too). */
    static final class Viewer implements UpdateFollower.Listener {
        final BlockingQueue<LocalAnswers> changes = new LinkedBlockingQueue<>();
        final BlockingQueue<String> following = new LinkedBlockingQueue<>();
        final List<ClientException> refused = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override public void changed(LocalAnswers now) {
            changes.add(now);
        }

        @Override public void refused(ClientException why) {
            refused.add(why);
        }

        @Override public void following(URI stream) {
            following.add(String.valueOf(stream));
        }

        /** Waits for the first change that makes the PID1 → PID2 routing cost {@code cost}. */
        LocalAnswers awaitCost(double cost) throws InterruptedException {
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end) {
                LocalAnswers a = changes.poll(100, TimeUnit.MILLISECONDS);
                if (a != null && a.cost(ME, "130.132.3.9").orElse(-1) == cost) {
                    return a;
                }
            }
            throw new AssertionError("no change to " + cost + " within " + WAIT + "; refused " + refused);
        }

        /** Waits until the follower says it follows {@code stream}. */
        void awaitFollowing(String stream) throws InterruptedException {
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end) {
                if (stream.equals(following.poll(100, TimeUnit.MILLISECONDS))) {
                    return;
                }
            }
            throw new AssertionError("not following " + stream + " within " + WAIT + "; refused " + refused);
        }
    }

    @Test
    void aViewerRanksItsPeersFollowsChangesAndOutlivesItsProxy() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet(); // another test's client is not this one's
        try (OriginWithProxy at = OriginWithProxy.start(dir, "edge", WAIT)) {
            viewer(at);
        }
        PushTree.await(WAIT, "the client's threads end", () -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t))
                .noneMatch(t -> t.getName().startsWith("alto-client-") || t.getName().startsWith("rproxy-client-")));
    }

    /** The viewer's life, from its bootstrap to its close. */
    private void viewer(OriginWithProxy at) throws Exception {
        Origin origin = at.origin;
        String proxy = at.relay.base();

        // The viewer: told only the origin's URL and key id.
        ClientOptions options = ClientOptions.of(URI.create(origin.baseUri()), KeyPin.ofKeyId(origin.keyId()))
                .withClientAddress(ME).withTimeout(Duration.ofSeconds(30)).withStateFile(dir.resolve("alto.state"));
        Viewer viewer = new Viewer();
        try (AltoClient alto = AltoClient.bootstrap(options)) {
            assertEquals(List.of(URI.create(proxy)), alto.proxies());
            LocalAnswers maps = alto.refreshMaps();
            VerifiedDocument nm = alto.fetch(alto.mapTargets().get(0));
            assertEquals(URI.create(proxy + nm.target()), nm.source(), () -> "the proxy first; refused " + nm.refused());
            List<RankedEndpoint> best = maps.rank(ME, PEERS);
            assertEquals("128.36.1.77", PEERS.get(best.get(0).index()), "a peer in my own PID first: " + best);

            UpdateFollower follower = alto.follow(viewer);
            viewer.awaitFollowing(proxy + "/updates");
            PushTree.writeRoutingCost(at.maps, 3);
            LocalAnswers changed = viewer.awaitCost(3);
            assertEquals("130.132.3.9", PEERS.get(changed.rank(ME, PEERS).get(1).index()));

            at.proxy.close(); // the edge proxy dies: the viewer goes on through the origin's stream
            at.relay.close();
            viewer.awaitFollowing(origin.baseUri() + "/updates");
            PushTree.writeRoutingCost(at.maps, 4);
            viewer.awaitCost(4);
            assertTrue(follower.running());
        }
    }
}
