package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.StreamSink;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;

/**
 * When the publisher disconnects a subscriber for leaving its window full (the stall timeout):
 * what counts is whether its window drained, not whether something newer waits for it. Driven
 * on the publisher's sending ({@link Delivery}, {@link Subscription}, a {@link Track}) with a
 * clock and a sink the test moves: the sink counts every byte sent as waiting for the socket
 * until the test says the subscriber read it.
 */
class StalledSubscriberTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String CM = "/costmap/rc";
    private static final Duration STALL = Duration.ofSeconds(30);
    private static final long WINDOW = 512;
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.7", 40_001);

    /** A sink whose sent bytes wait for the socket until {@link #read()}; writable below 256 KB, as the front end's. */
    private static final class UnreadSink implements StreamSink {
        final List<Bytes[]> sent = new ArrayList<>();
        long pending;
        boolean open = true;

        @Override
        public boolean send(Bytes... parts) {
            for (Bytes p : parts) {
                pending += p.length();
            }
            sent.add(parts);
            return open;
        }

        /** The subscriber read all that waited. */
        void read() {
            pending = 0;
        }

        @Override
        public boolean isWritable() {
            return open && pending < UpdateStreamConfig.DEFAULT_WINDOW_BYTES;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public long pendingBytes() {
            return pending;
        }

        @Override
        public SocketAddress remoteAddress() {
            return PEER;
        }

        @Override
        public void onWritable(Runnable callback) {
        }

        @Override
        public void onWritten(java.util.function.LongConsumer callback) {
        }

        @Override
        public void abort() {
            close();
        }

        @Override
        public void onClose(Runnable callback) {
        }

        @Override
        public void close() {
            open = false;
        }
    }

    private long now = 1_000_000_000L;
    private final Track track = Track.document(CM);
    private final Delivery delivery = new Delivery(new ManualScheduler(), key -> key.equals(CM) ? track : null,
            (s, sub) -> { }, STALL, UpdateStreamConfig.defaults().maxPendingBytes(), () -> now);
    private final UnreadSink sink = new UnreadSink();
    private final Subscription subscription = new Subscription("token", now, WINDOW, true);

    private void after(Duration d) {
        now += d.toNanos();
        delivery.disconnectStalled(List.of(subscription), gone -> { });
    }

    /** Starts the stream with substreams {@code ids}, all following the cost map; the first version fills the window. */
    private void start(String... ids) {
        track.update(UpdatePublisherTest.costMap(5, T0));
        for (String id : ids) {
            subscription.add(new Substream(id, CM, false, null));
        }
        subscription.attach(sink);
        delivery.pump(subscription);
        assertEquals(1, sink.sent.size(), "one substream's first version sent");
        assertTrue(sink.pending >= WINDOW, "the map fills the window: " + sink.pending);
    }

    /**
     * A subscriber that reads nothing of the map it was sent, with nothing newer to send it, held
     * its window and the event that filled it (off-heap, as the socket's copy) for good: only one
     * with work waiting was ever disconnected.
     */
    @Test
    void aSubscriberThatReadsNothingIsDisconnectedAfterTheStallTimeoutThoughNothingNewerWaits() {
        start("rc");
        after(STALL.minusSeconds(1));
        assertTrue(sink.open, "disconnected before the stall timeout");
        after(Duration.ofSeconds(2));
        assertFalse(sink.open, "a window left full for the stall timeout: disconnected");
        assertEquals(1, delivery.disconnected());
    }

    /**
     * The operator is told who was disconnected and why: the peer's address, the stream, how long
     * its buffer stayed full, the bytes it left unread and what it followed (the line said only
     * "update stream subscriber stalled for PT30S; disconnected"). A second subscriber
     * disconnected within the log's interval writes no line of its own; the next line counts it.
     */
    @Test
    void theDisconnectedSubscriberIsNamedInOneLineAnIntervalAtMost() {
        UnreadSink second = new UnreadSink();
        Subscription other = new Subscription("token-2", now, WINDOW, true);
        other.add(new Substream("rc", CM, false, null));
        Logger logger = (Logger) LoggerFactory.getLogger(Delivery.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' logging may be quieter
        try (CapturedLogs logs = CapturedLogs.of(Delivery.class)) {
            start("rc", "again");
            other.attach(second);
            delivery.pump(other);
            now += STALL.plusSeconds(1).toNanos();
            delivery.disconnectStalled(List.of(subscription, other), gone -> { });
            assertFalse(sink.open || second.open, "both disconnected");
            assertEquals(2, delivery.disconnected());
            assertEquals(1, logs.count(), "one line for the two: " + logs.events());
            String line = logs.events().get(0).getFormattedMessage();
            long unread = line.contains("token-2") ? second.pending : sink.pending;
            String followed = line.contains("token-2") ? "1 substream of " + CM : "2 substreams of " + CM;
            assertTrue(line.matches("update stream token(-2)? from " + java.util.regex.Pattern.quote(PEER.toString())
                    + " disconnected: its buffer stayed full for 31\\.0s \\(stall timeout 30s\\) with " + unread
                    + " bytes unread; it followed " + followed), line);

            Subscription third = new Subscription("token-3", now, WINDOW, true);
            third.add(new Substream("rc", CM, false, null));
            UnreadSink sink3 = new UnreadSink();
            third.attach(sink3);
            delivery.pump(third);
            now += StallLog.INTERVAL.toNanos() + STALL.plusSeconds(1).toNanos();
            delivery.disconnectStalled(List.of(third), gone -> { });
            assertEquals(2, logs.count(), "the next interval's line: " + logs.events());
            String next = logs.events().get(1).getFormattedMessage();
            assertTrue(next.startsWith("update stream token-3 from " + PEER + " disconnected: its buffer stayed full for"
                    + " 41.0s"), next);
            assertTrue(next.endsWith(" (1 more disconnected so since the last such line)"), next);
        } finally {
            logger.setLevel(level);
        }
    }

    /**
     * A subscriber whose window drains within the stall timeout each time, though each drain is
     * filled again at once (three substreams of one map, the window holding one event), is
     * reading: the stall counted from the first time its window was found full with work waiting,
     * and a drain that ended with work still waiting did not start it afresh, so it was
     * disconnected once the timeout had passed since that first time.
     */
    @Test
    void aSubscriberWhoseWindowDrainsWithinTheStallTimeoutIsKeptThoughRefilledEachTime() {
        start("a", "b", "c");
        for (int i = 0; i < 4; i++) {
            after(STALL.multipliedBy(2).dividedBy(3));
            assertTrue(sink.open, "disconnected though its window drained " + i + " times within the stall timeout");
            sink.read();
            delivery.pump(subscription); // the sink's callback: the next substream's event, which fills it again
            if (i % 2 == 1) {
                track.update(UpdatePublisherTest.costMap(6 + i, T0.plusSeconds(1 + i)));
                List.of("a", "b", "c").forEach(id -> subscription.due(subscription.substreams().get(id)));
            }
        }
        assertEquals(5, sink.sent.size(), "an event sent at each drain");
        assertEquals(0, delivery.disconnected());
    }
}
