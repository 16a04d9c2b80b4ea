package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Variant;
import org.rproxy.core.model.Bytes;

class EntryTest {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    static CachedCopy copy(String body) {
        Variant v = new Variant(Bytes.utf8(body), null, List.of(new HeaderField("content-type", "application/json")));
        return CachedCopy.of(new CachedVariant(v, false, T0, T0.plusSeconds(60), T0, 60, 0, 0, 0), null);
    }

    /** Holds a copy with a body of its own, served once (stamped), and hands back only a weak reference to the body. */
    static WeakReference<Bytes> heldAndServed(Entry e) {
        CachedCopy h = copy("x".repeat(100_000));
        e.hold(h);
        assertNotNull(e.stamped(h, T0));
        return new WeakReference<>(h.identity().variant().body());
    }

    @Test
    void aReplacedCopyIsNotKeptReachableByItsLastStamp() throws Exception {
        // a map kept fresh for an update stream or local answers, refreshed and not asked for since:
        // the body it replaced must go (it is outside --max-bytes once the store let it go)
        Entry e = new Entry(CacheKey.get("/networkmap/n"), UpstreamCall.PLAIN_GET, true, T0);
        WeakReference<Bytes> old = heldAndServed(e);
        e.hold(copy("{}"));
        for (int i = 0; i < 100 && old.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(old.get(), "the replaced body is still reachable from the entry");
    }

    /**
     * The store's listener lets go of the old copy ({@link Entry#release}, without the entry's
     * lock) while a hold sets a new one: the new one must stay, wherever the hold lands in the
     * release. Rounds of one release on another thread, let go a little before the hold (by a
     * lead that varies); bounded by a count of rounds and by time, and a release thread that
     * stops answering fails the test rather than hanging it.
     */
    @Test
    void releasingTheOldCopyNeverDropsOneHeldMeanwhile() throws Exception {
        Entry e = new Entry(CacheKey.get("/networkmap/n"), UpstreamCall.PLAIN_GET, false, T0);
        CachedCopy[] olds = new CachedCopy[1];
        AtomicLong asked = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread releaser = new Thread(() -> {
            for (long seen = 0; !stop.get(); ) {
                if (asked.get() == seen) {
                    Thread.onSpinWait();
                    continue;
                }
                seen++;
                e.release(olds[0].base()); // olds[0] was written before asked: visible
                done.set(seen);
            }
        }, "releaser");
        releaser.start();
        try {
            CachedCopy a = copy("{\"a\":1}");
            CachedCopy b = copy("{\"b\":1}");
            long end = System.nanoTime() + 3_000_000_000L;
            for (long round = 1; round <= 2_000_000 && System.nanoTime() < end; round++) {
                CachedCopy old = (round & 1) == 0 ? a : b;
                CachedCopy next = (round & 1) == 0 ? b : a;
                e.hold(old);
                olds[0] = old;
                asked.set(round);
                for (long spin = round % 61; spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                e.hold(next);
                long waitUntil = System.nanoTime() + 10_000_000_000L;
                while (done.get() != round) {
                    if (System.nanoTime() > waitUntil) {
                        fail("the release of round " + round + " did not end");
                    }
                    Thread.onSpinWait();
                }
                if (e.held() != next) {
                    fail("round " + round + ": the copy held meanwhile was dropped");
                }
            }
        } finally {
            stop.set(true);
            releaser.join();
        }
    }
}
