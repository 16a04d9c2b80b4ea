package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.push.PushProxy;
import org.rproxy.push.UpdatePublisher;

/**
 * A subscriber that stops reading (a tiny receive window, never drained) while megabyte
 * versions of a map keep coming: the publisher holds at most its window for it, skips it to the
 * latest version instead of queueing (counted as coalesced) and finally disconnects it (counted),
 * while a fast subscriber, a push proxy on the same origin, gets every change before that. Two
 * origins: one whose stall timeout is long, for the order of the events to tell whether the fast
 * proxy waited for the stuck one; one whose stall timeout is short, for the disconnection not to
 * be waited for (it took 20 of the case's 25 s).
 */
@SuppressWarnings("try") // resources held open for the test's duration, not referenced
class SlowSubscriberIT {

    @TempDir
    Path dir;

    /**
     * How long the origin lets a subscriber leave its window full before cutting it off: far
     * longer than the fast proxy takes to get a change on a loaded machine, so that the order of
     * the two events, not a time bound, tells whether delivery to the others waited for the
     * stuck one (2 s, with a 1.5 s bound on the fast proxy, failed at load 30).
     */
    private static final Duration STALL = Duration.ofSeconds(20);

    @Test
    void aSubscriberThatStopsReadingNeitherDelaysTheOthersNorHoldsMemoryWithoutBound() throws Exception {
        try (PushTree tree = PushTree.start(dir, PushTree.streamConfig().withStallTimeout(STALL), 0,
                "big-network-map.json", bigMap(0))) {
            PushProxy fast = tree.proxy(tree.originBase());
            PushTree.await(Duration.ofSeconds(10), "fast proxy holds the maps",
                    () -> fast.feed().held().containsKey("/networkmap/big-network-map")
                            && fast.feed().held().containsKey(PushTree.COST_MAP));
            try (Socket slow = stalledSubscriber(tree.originPort())) {
                UpdatePublisher publisher = tree.originStream();
                for (int v = 1; v <= 3; v++) {
                    replaceBigMap(tree, v);
                    String marker = "\"pop" + v + "-0\"";
                    PushTree.await(Duration.ofSeconds(15), "fast proxy holds big map v" + v,
                            () -> fast.feed().held().get("/networkmap/big-network-map").identity().body().asUtf8()
                                    .contains(marker));
                }
                assertEquals(0, publisher.stats().disconnected(),
                        "the stuck subscriber was cut off before the change was written: the versions took longer"
                                + " than the stall timeout (" + STALL + ")");
                tree.writeRoutingCost(99);
                PushTree.await(STALL, "fast proxy serves the change",
                        () -> String.valueOf(tree.bodyOrNull(fast.baseUri(), PushTree.COST_MAP)).contains("\"PID2\":99"));
                // A publisher that waited for the stuck subscriber would deliver only once it is cut off.
                assertEquals(0, publisher.stats().disconnected(),
                        "the fast proxy got the change only after the stuck subscriber was cut off");
                // four versions, six copies of the big one each, in a 4 KB window: skipped ahead, not queued
                PushTree.await(Duration.ofSeconds(5), "slow subscriber coalesced",
                        () -> publisher.stats().coalesced() > 0);
                assertEquals(0, fast.feed().stats().rejected());
            }
        }
    }

    /**
     * The stuck subscriber is cut off once its window has stayed full for the stall timeout
     * (counted), on an origin whose stall timeout is short ({@link PushTree#streamConfig}: 2 s)
     * and whose connections' send buffers are small (64 KB), so that the first copies of the big
     * map alone fill the window.
     */
    @Test
    void aSubscriberThatStopsReadingIsDisconnectedOnceItsWindowStaysFullForTheStallTimeout() throws Exception {
        try (PushTree tree = PushTree.start(dir, PushTree.streamConfig(), 64 * 1024,
                "big-network-map.json", bigMap(0))) {
            UpdatePublisher publisher = tree.originStream();
            try (Socket slow = stalledSubscriber(tree.originPort())) {
                PushTree.await(Duration.ofSeconds(10), "the stuck subscriber subscribed",
                        () -> publisher.stats().subscribers() > 0 || publisher.stats().disconnected() > 0);
                PushTree.await(Duration.ofSeconds(20), "slow subscriber disconnected after the stall timeout",
                        () -> publisher.stats().disconnected() > 0);
                PushTree.await(Duration.ofSeconds(10), "the stuck subscriber gone",
                        () -> publisher.stats().subscribers() == 0);
            }
        }
    }

    /** Subscribes to the big map with a 4 KB receive buffer and never reads. */
    private static Socket stalledSubscriber(int port) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        // Six substreams on the same big map: six copies of every version for it to swallow.
        StringBuilder add = new StringBuilder("{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}");
        for (int i = 1; i <= 6; i++) {
            add.append(",\"b").append(i).append("\":{\"resource-id\":\"big-network-map\"}");
        }
        String body = add.append("}}").toString();
        String req = "POST /updates HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/alto-updatestreamparams+json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        OutputStream out = s.getOutputStream();
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    private static void replaceBigMap(PushTree tree, int version) throws Exception {
        Path tmp = tree.maps.resolveSibling("big.tmp");
        Files.writeString(tmp, bigMap(version));
        Files.move(tmp, tree.maps.resolve("big-network-map.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** About 500 KB, every PID renamed per version so no patch is smaller than the whole. */
    private static String bigMap(int version) {
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            pids.add("\"pop" + version + "-" + i + "\":{\"ipv4\":[\"10." + (i / 256 % 256) + "." + (i % 256) + "."
                    + (i / 65_536) + "/32\"]}");
        }
        pids.add("\"rest\":{\"ipv4\":[\"0.0.0.0/0\"]}");
        return "{\"network-map\":{" + String.join(",", pids) + "}}";
    }
}
