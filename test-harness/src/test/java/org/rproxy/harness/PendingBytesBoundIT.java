package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * Many subscribers that never read, on a real origin's {@code /updates}: each is sent a ~500 KB
 * map, which the transport copies into direct memory while it waits for the socket. Without a
 * node-wide bound that was about 1 MB of direct memory each, so enough of them exhausted it and
 * every connection's writes failed; with {@code max-pending-bytes} set low, the direct memory the
 * node's buffers use stays under that bound plus a few events' worth, the subscribers past it
 * wait their turn (counted), an ordinary request is served meanwhile, and a reading subscriber
 * gets its documents once the stall timeout has cut the non-readers off.
 */
@SuppressWarnings("try") // resources held open for the test's duration, not referenced
class PendingBytesBoundIT {

    private static final int NON_READERS = 60;
    private static final long BUDGET = 4L << 20;
    private static final String BIG = "/networkmap/big-network-map";
    /** The origin's send buffer per connection: the kernel takes little of what a non-reader is sent, the rest waits in direct memory. */
    private static final int SEND_BUFFER = 64 * 1024;

    /**
     * What the allocator holds beyond the bytes in use, which this test's JVM shares with the
     * others run in it: it takes direct memory in chunks, per event loop, and keeps some for
     * reuse (5 to 9 MB seen here beyond a 4 MB bound; without the bound, the 60 non-readers
     * had 23 MB pending at once and the allocator's use peaked at 34 MB).
     */
    private static final long ALLOCATOR_SLACK = 12L << 20;

    @TempDir
    Path dir;

    /** The direct memory Netty's default allocator (the front end's) holds now. */
    private static long directUsed() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    @Test
    void subscribersThatNeverReadHoldNoMoreThanTheBoundAndTheOthersAreServed() throws Exception {
        UpdateStreamConfig config = PushTree.streamConfig().withStallTimeout(Duration.ofSeconds(1))
                .withMaxPendingBytes(BUDGET);
        String bigMap = bigMap();
        try (PushTree tree = PushTree.start(dir, config, SEND_BUFFER, "big-network-map.json", bigMap)) {
            UpdatePublisher publisher = tree.originStream();
            assertEquals(200, tree.get(tree.originBase(), BIG).statusCode());
            long event = bigMap.length() + 4096; // the map as one event, with its event line and signature
            long before = directUsed();
            AtomicLong peak = new AtomicLong(before);
            AtomicLong peakPending = new AtomicLong();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(directUsed(), Math::max);
                    peakPending.accumulateAndGet(publisher.stats().pendingBytes(), Math::max);
                    LockSupport.parkNanos(1_000_000); // a sample a millisecond: a non-reader holds its copy for the stall timeout
                }
            }, "direct-memory-sampler");
            sampler.setDaemon(true);
            sampler.start();
            List<Socket> nonReaders = new ArrayList<>();
            try {
                for (int i = 0; i < NON_READERS; i++) {
                    nonReaders.add(nonReader(tree.originPort()));
                }
                PushTree.await(Duration.ofSeconds(20), "the non-readers fill the node's bound, and the others wait",
                        () -> publisher.stats().pendingBytes() >= BUDGET && publisher.stats().deferred() > 0);
                long held = directUsed() - before;
                // An ordinary request is served meanwhile, its body whole and verified.
                assertTrue(tree.verifiedBody(tree.originBase(), BIG).contains("\"pop-0\""));
                // A reader gets its documents once the non-readers holding the bound are cut off.
                try (SseClient reader = new SseClient(tree.http, tree.originBase() + "/updates",
                        "{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}}}")) {
                    SseClient.Event first = reader.next("application/alto-costmap+json,rc", Duration.ofSeconds(60));
                    assertTrue(first.data().contains("\"PID1\""), first.data());
                }
                sampling.set(false);
                sampler.join();
                assertTrue(peakPending.get() <= BUDGET + event, "bytes pending for the subscribers at most: "
                        + peakPending.get() + " (expected: at most the bound, " + BUDGET + ", and one event)");
                long bound = BUDGET + ALLOCATOR_SLACK;
                assertTrue(held <= bound, "direct memory held by " + NON_READERS + " subscribers that never read: "
                        + held + " (expected: at most " + bound + ")");
                assertTrue(peak.get() - before <= bound, "direct memory at most: " + (peak.get() - before)
                        + " (expected: at most " + bound + ")");
                assertTrue(publisher.stats().disconnected() > 0, "the non-readers are cut off at the stall timeout");
            } finally {
                sampling.set(false);
                for (Socket s : nonReaders) {
                    s.close();
                }
            }
        }
    }

    /** Subscribes to the big map with a 4 KB receive buffer and never reads. */
    private static Socket nonReader(int port) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        // Three substreams on the big map: three copies of it for the subscriber to take.
        String body = "{\"add\":{\"b1\":{\"resource-id\":\"big-network-map\"},\"b2\":{\"resource-id\":\"big-network-map\"},"
                + "\"b3\":{\"resource-id\":\"big-network-map\"}}}";
        String req = "POST /updates HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/alto-updatestreamparams+json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        OutputStream out = s.getOutputStream();
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** About 500 KB. */
    private static String bigMap() {
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            pids.add("\"pop-" + i + "\":{\"ipv4\":[\"10." + (i / 256 % 256) + "." + (i % 256) + "."
                    + (i / 65_536) + "/32\"]}");
        }
        pids.add("\"rest\":{\"ipv4\":[\"0.0.0.0/0\"]}");
        return "{\"network-map\":{" + String.join(",", pids) + "}}";
    }
}
