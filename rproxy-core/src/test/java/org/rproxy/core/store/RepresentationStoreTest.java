package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;

class RepresentationStoreTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    static Representation rep(int bodyBytes) {
        Variant v = new Variant(Bytes.wrap(new byte[bodyBytes]), null, List.of(new HeaderField("content-type", "x/y")));
        return new Representation(v, null, 60, T0, T0.plusSeconds(3600));
    }

    @Test
    void storesAndReturnsTheSameRepresentation() {
        RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 20);
        Representation r = rep(100);
        store.put("a", r);
        assertSame(r, store.get("a"));
        assertNull(store.get("b"));
        assertEquals(r.weight(), store.weightedBytes());
        assertEquals(1, store.size());
    }

    @Test
    void theByteBoundHoldsAfterEveryPutWhileFarMoreIsStored() {
        long max = 50_000;
        RepresentationStore<Integer> store = RepresentationStore.boundedBy(max);
        for (int i = 0; i < 1000; i++) {
            store.put(i, rep(1000));
            assertTrue(store.weightedBytes() <= max, "after " + i + ": " + store.weightedBytes());
        }
        assertTrue(store.size() > 10 && store.size() < 50, "entries: " + store.size());
    }

    @Test
    void theByteBoundHoldsUnderConcurrentWriters() throws Exception {
        long max = 100_000;
        RepresentationStore<String> store = RepresentationStore.boundedBy(max);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            pool.submit(() -> {
                start.await();
                for (int i = 0; i < 500; i++) {
                    store.put(thread + "-" + i, rep(2000));
                }
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(store.weightedBytes() <= max, "held " + store.weightedBytes());
    }

    @Test
    void listenersHearStoresRemovalsAndEvictions() {
        RepresentationStore<String> store = RepresentationStore.boundedBy(5_000);
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        store.addListener((k, r, change) -> heard.add(change + " " + k));
        store.put("a", rep(1000));
        store.remove("a");
        store.put("big", rep(10_000));
        assertEquals("STORED a", heard.get(0));
        assertEquals("REMOVED a", heard.get(1));
        assertTrue(heard.contains("EVICTED big"), heard.toString());
        assertNull(store.get("big"));
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        RepresentationStore<String> store = RepresentationStore.boundedBy(5_000);
        List<String> heard = new ArrayList<>();
        store.addListener((k, r, c) -> {
            throw new IllegalStateException("boom");
        });
        store.addListener((k, r, c) -> heard.add(k));
        store.put("a", rep(10));
        assertEquals(List.of("a"), heard);
    }

    @Test
    void aLargeBodyGetsItsDirectCopyWhenStoredAndTheWeightCountsIt() {
        RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 20);
        Representation r = rep(Variant.DIRECT_MIN_BYTES);
        store.put("a", r);
        assertTrue(r.identity().body().hasDirectCopy(), "made on the feed's thread, not on an event loop");
        assertTrue(store.weightedBytes() >= 2L * Variant.DIRECT_MIN_BYTES, "held " + store.weightedBytes());
    }

    @Test
    void aSmallBodyGetsNoDirectCopy() {
        RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 20);
        Representation r = rep(Variant.DIRECT_MIN_BYTES - 1);
        store.put("a", r);
        assertFalse(r.identity().body().hasDirectCopy());
        assertTrue(store.weightedBytes() < 2L * (Variant.DIRECT_MIN_BYTES - 1));
    }

    @Test
    void bothVariantsGetTheirCopy() {
        RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 20);
        Variant identity = new Variant(Bytes.wrap(new byte[40_000]), null, List.of());
        Variant gzip = new Variant(Bytes.wrap(new byte[20_000]), "gzip", List.of());
        store.put("a", new Representation(identity, gzip, 60, T0, T0.plusSeconds(3600)));
        assertTrue(identity.body().hasDirectCopy());
        assertTrue(gzip.body().hasDirectCopy());
    }

    @Test
    void theByteBoundCountsTheDirectCopies() {
        int body = 4 * Variant.DIRECT_MIN_BYTES;
        long max = 5L * body;
        RepresentationStore<Integer> store = RepresentationStore.boundedBy(max);
        for (int i = 0; i < 20; i++) {
            store.put(i, rep(body));
            assertTrue(store.weightedBytes() <= max, "after " + i + ": " + store.weightedBytes());
        }
        assertTrue(store.size() <= 2, "each holds its body twice: " + store.size());
    }

    @Test
    void aNonPositiveBoundIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RepresentationStore.boundedBy(0));
    }
}
