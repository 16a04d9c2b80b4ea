package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.store.Representation;

/**
 * How far apart an honest proxy takes the new network map and the new cost map of one version of
 * the origin (an edit of the network map alone changes both: the cost map names the network map's
 * version). A client following the proxy's update stream leaves it once its maps have not fit
 * together for its read timeout, and fetches the cost map from the other sources, in the end the
 * origin: every client of that proxy at once. A pull proxy revalidates each document on its own
 * schedule ({@code max-age} from its own fetch), so two maps first asked for at different times
 * took a new version up to a {@code max-age} apart (60 s by default, twice the client's default
 * read timeout); now a new version of one document makes it revalidate at once the others it
 * keeps fresh that were signed before it. A push proxy takes both from the origin's stream, one
 * event after the other.
 */
class MapsOfOneVersionTogetherIT {
    private static final String NETWORK_MAP = "/networkmap/default-network-map";
    private static final String NM_ID = "default-network-map";
    private static final Duration MAX_AGE = Duration.ofSeconds(8);
    /** The phase between the two maps' revalidations at the pull proxy, as set up below. */
    private static final long PHASE_SECONDS = 3;
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void aPullAndAPushProxyTakeTheNetworkMapAndTheCostMapOfAVersionTogether() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir, MAX_AGE);
             StreamingPull pull = startPull(lab);
             PushPullProxy push = PushPullProxy.start(Proxies.config("push", lab.origin.baseUri(), lab.pub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            String base = pull.pull().baseUri();
            // The network map asked for first, the cost map once the proxy's copy of it is PHASE_SECONDS old:
            // their revalidations are that far apart from then on.
            assertTrue(Proxies.get(base + NETWORK_MAP).statusCode() == 200);
            PushTree.await(WAIT, "the pull proxy's network map " + PHASE_SECONDS + " s old",
                    () -> age(base + NETWORK_MAP) >= PHASE_SECONDS);
            assertTrue(Proxies.get(base + PushTree.COST_MAP).statusCode() == 200);
            try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", "{\"add\":{\"nm\":{\"resource-id\":\""
                    + NM_ID + "\"},\"rc\":{\"resource-id\":\"routingcost-map\"}}}")) {
                sse.next("application/alto-costmap+json,rc", WAIT); // both followed, so kept fresh
                PushTree.await(WAIT, "the push proxy holding both maps",
                        () -> push.feed().held().containsKey(PushTree.COST_MAP)
                                && push.feed().held().containsKey(NETWORK_MAP));
                Arrivals atPull = new Arrivals();
                Arrivals atPush = new Arrivals();
                pull.pull().addChangeListener(atPull::heard); // told at once of the copies held: the versions before
                push.pull().addChangeListener(atPush::heard);
                assertTrue(atPull.holdsBoth() && atPush.holdsBoth());

                editNetworkMap(lab.maps);
                PushTree.await(WAIT, "the new maps at both proxies", () -> atPull.both() && atPush.both());
                long pullGap = atPull.gapMillis();
                long pushGap = atPush.gapMillis();
                System.out.printf("new network map and cost map taken %d ms apart by the pull proxy, %d ms by the push"
                        + " proxy%n", pullGap, pushGap);
                assertTrue(pushGap < 1500, "the push proxy took them " + pushGap + " ms apart");
                assertTrue(pullGap < 1500, "the pull proxy took the new network map and the new cost map " + pullGap
                        + " ms apart (their revalidations were " + PHASE_SECONDS + " s apart): a client following its"
                        + " stream with a shorter read timeout leaves it and fetches the cost map elsewhere");
            }
        }
    }

    /** When a proxy first held a copy of each map with another body than the first copy it was heard holding. */
    static final class Arrivals {
        private final Map<String, String> before = new ConcurrentHashMap<>();
        private final Map<String, Long> at = new ConcurrentHashMap<>();

        void heard(String target, Representation r) {
            if (!target.equals(NETWORK_MAP) && !target.equals(PushTree.COST_MAP)) {
                return;
            }
            String old = before.putIfAbsent(target, digest(r));
            if (old != null && !old.equals(digest(r))) {
                at.putIfAbsent(target, System.nanoTime());
            }
        }

        boolean holdsBoth() {
            return before.size() == 2;
        }

        boolean both() {
            return at.size() == 2;
        }

        /** Milliseconds from {@code start} (a {@link System#nanoTime}) to the new version of {@code target}. */
        long millisAfter(long start, String target) {
            return (at.get(target) - start) / 1_000_000;
        }

        long gapMillis() {
            return Math.abs(at.get(NETWORK_MAP) - at.get(PushTree.COST_MAP)) / 1_000_000;
        }

        private static String digest(Representation r) {
            return r.identity().header("content-digest").orElse("");
        }
    }

    static long age(String url) {
        try {
            HttpResponse<byte[]> r = Proxies.get(url);
            return r.headers().firstValueAsLong("age").orElse(0);
        } catch (Exception e) {
            return 0;
        }
    }

    /** Moves a prefix to another PID: only the network map file changes, and the cost map names its new version. */
    static void editNetworkMap(Path maps) throws Exception {
        Path file = maps.resolve(NM_ID + ".json");
        String before = Files.readString(file);
        String edited = before.replace("\"132.130.2.0/24\"", "\"132.130.9.0/24\"");
        assertNotEquals(before, edited);
        Path tmp = maps.resolveSibling("nm.tmp");
        Files.writeString(tmp, edited);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static StreamingPull startPull(PlainSubscriberIT.Lab lab) {
        ProxyConfig c = Proxies.config("pull", lab.origin.baseUri(), lab.pub).withQueries(ProxyConfig.Queries.UPSTREAM);
        return StreamingPull.start(c, StreamingPull.streamConfig(c), Clock.systemUTC());
    }
}
