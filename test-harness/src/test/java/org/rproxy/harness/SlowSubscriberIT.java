package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * while a fast subscriber, a push proxy on the same origin, gets every change within a second.
 */
@SuppressWarnings("try") // resources held open for the test's duration, not referenced
class SlowSubscriberIT {

    @TempDir
    Path dir;

    @Test
    void aSubscriberThatStopsReadingNeitherDelaysTheOthersNorHoldsMemoryWithoutBound() throws Exception {
        try (PushTree tree = PushTree.start(dir, "big-network-map.json", bigMap(0))) {
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
                // Collect the big versions' garbage now, so that a pause does not land in the measured second.
                System.gc();
                // Below the stream's 2 s stall timeout: a publisher that waited for the stuck subscriber
                // (until it is cut off) would miss this bound, a busy machine's scheduling does not.
                Duration bound = Duration.ofMillis(1500);
                long t0 = System.nanoTime();
                tree.writeRoutingCost(99);
                PushTree.await(bound, "fast proxy serves the change",
                        () -> String.valueOf(tree.bodyOrNull(fast.baseUri(), PushTree.COST_MAP)).contains("\"PID2\":99"));
                assertTrue(System.nanoTime() - t0 < bound.toNanos());
                // Depending on how long the big versions took to sign, it was skipped ahead, or already cut off.
                PushTree.await(Duration.ofSeconds(3), "slow subscriber coalesced or disconnected",
                        () -> publisher.stats().coalesced() + publisher.stats().disconnected() > 0);
                PushTree.await(Duration.ofSeconds(6), "slow subscriber disconnected after the stall timeout",
                        () -> publisher.stats().disconnected() > 0);
                assertEquals(0, fast.feed().stats().rejected());
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
