package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.StreamSink;

/**
 * The node-wide bound on bytes sent to subscribers and not yet written ({@link PendingBudget}),
 * driven on the publisher's sending ({@link Delivery}) with sinks whose writes end when the test
 * says: past the bound a subscriber waits, coalesced, first come first served, and is sent the
 * latest version once the bytes pending drain to half the bound; the drain's wake is never lost.
 */
class PendingBudgetTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String CM = "/costmap/rc";

    /** A sink whose sends wait until {@link #write()}, which tells the publisher they were written. */
    private static final class HeldSink implements StreamSink {
        final List<Long> waiting = new ArrayList<>();
        int sent;
        LongConsumer written;

        @Override
        public synchronized boolean send(Bytes... parts) {
            long n = 0;
            for (Bytes p : parts) {
                n += p.length();
            }
            waiting.add(n);
            sent++;
            return true;
        }

        /** Everything sent so far went through the socket. */
        void write() {
            List<Long> done;
            synchronized (this) {
                done = new ArrayList<>(waiting);
                waiting.clear();
            }
            done.forEach(written::accept);
        }

        @Override public boolean isWritable() { return true; }
        @Override public boolean isOpen() { return true; }
        @Override public synchronized long pendingBytes() { return waiting.stream().mapToLong(Long::longValue).sum(); }
        @Override public java.net.SocketAddress remoteAddress() { return null; }
        @Override public void onWritable(Runnable callback) { }
        @Override public void onWritten(LongConsumer callback) { written = callback; }
        @Override public void onClose(Runnable callback) { }
        @Override public void close() { }
        @Override public void abort() { }
    }

    private final ManualScheduler thread = new ManualScheduler();
    private final Track track = Track.document(CM);
    private Delivery delivery;

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    /** Runs {@code r} on the publisher's thread and waits for it (and for whatever was handed over before). */
    private void onThread(Runnable r) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.execute(() -> {
            r.run();
            done.complete(null);
        });
        done.get(5, TimeUnit.SECONDS);
    }

    private Subscription subscriber(HeldSink sink) {
        Subscription s = new Subscription("t" + System.identityHashCode(sink), 0, 1 << 20, false);
        s.add(new Substream("rc", CM, false, null));
        sink.onWritten(delivery.budget()::written);
        s.attach(sink);
        return s;
    }

    @Test
    void pastTheBoundSubscribersWaitTheirTurnAndAreWokenByTheDrain() throws Exception {
        track.update(UpdatePublisherTest.costMap(5, T0));
        long event = track.bodyLines().length() + 64; // and its event line
        // A bound below one event: the first send is made (nothing pending), the next waits.
        long bound = track.bodyLines().length();
        delivery = new Delivery(thread, key -> key.equals(CM) ? track : null, (s, sub) -> { }, Duration.ofSeconds(30), bound,
                System::nanoTime);
        HeldSink a = new HeldSink();
        HeldSink b = new HeldSink();
        HeldSink c = new HeldSink();
        List<Subscription> all = new ArrayList<>();
        onThread(() -> {
            all.add(subscriber(a));
            all.add(subscriber(b));
            all.add(subscriber(c));
            delivery.pumpAll(all);
        });
        assertEquals(1, a.sent + b.sent + c.sent, "one event within the bound, the others wait");
        assertTrue(delivery.budget().pending() >= bound && delivery.budget().pending() <= bound + event);
        assertEquals(2, delivery.deferred());
        HeldSink first = a.sent == 1 ? a : b.sent == 1 ? b : c;
        // A newer version meanwhile: those waiting will be sent it, not the one they missed.
        onThread(() -> track.update(UpdatePublisherTest.costMap(6, T0.plusSeconds(1))));
        first.write(); // on "the event loop": the drain wakes the publisher's thread
        onThread(() -> { });
        onThread(() -> { });
        assertEquals(2, a.sent + b.sent + c.sent, "the next in line was sent once the bytes drained");
        for (HeldSink s : List.of(a, b, c)) {
            s.write();
            onThread(() -> { });
        }
        assertEquals(3, a.sent + b.sent + c.sent, "each of them in turn");
        assertEquals(0, delivery.budget().pending());
    }
}
