package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.testing.CapturedLogs;

/**
 * A store with a spool: it spools the large bodies it takes, and lets go of each exactly when the
 * variant holding it leaves (replaced, removed, evicted), so the spool holds what the store holds
 * and the byte bound counts the files.
 */
class SpoolingStoreTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final int MIN = 64 * 1024;

    @TempDir
    Path parent;
    BodySpool spool;

    @BeforeEach
    void open() {
        spool = BodySpool.open(parent, MIN, Runnable::run);
    }

    @AfterEach
    void close() {
        spool.close();
    }

    private static Variant variant(Bytes body, String encoding, String etag) {
        return new Variant(body, encoding, List.of(new HeaderField("content-type", "x/y"), new HeaderField("etag", etag)));
    }

    private static Representation rep(Variant identity, Variant gzip) {
        return new Representation(identity, gzip, 60, T0, T0.plusSeconds(3600));
    }

    private static Bytes body(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return Bytes.wrap(b);
    }

    /** The bodies' files in the spool's directory (its lock file apart). */
    private long files() throws Exception {
        try (Stream<Path> s = Files.list(spool.directory())) {
            return s.filter(f -> !f.getFileName().toString().equals(SpoolDirectories.LOCK)).count();
        }
    }

    @Test
    void largeBodiesAreSpooledInsteadOfCopiedAndCountedTwice() throws Exception {
        RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 24, spool);
        Bytes identity = body(MIN * 2, 1);
        Bytes gzip = body(MIN, 2);
        Bytes small = body(MIN - 1, 3);
        Representation r = rep(variant(identity, null, "\"i\""), variant(gzip, "gzip", "\"g\""));
        store.put("a", r);
        store.put("b", rep(variant(small, null, "\"s\""), null));
        assertEquals(2, files());
        assertFalse(identity.hasDirectCopy(), "the file is its off-heap copy");
        assertTrue(small.hasDirectCopy(), "below the threshold: written from its direct copy");
        assertEquals(3L * MIN, spool.spooledBytes());
        assertTrue(store.weightedBytes() >= 2L * (3 * MIN) + 2L * (MIN - 1), "held " + store.weightedBytes());
        SpooledBody f = spool.acquire(identity);
        assertNotNull(f);
        f.release();
    }

    @Test
    void aReplacedBodyIsLetGoAndARevalidatedOneAroundTheSameBytesKeepsItsFile() throws Exception {
        RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 24, spool);
        Bytes v1 = body(MIN, 1);
        store.put("a", rep(variant(v1, null, "\"1\""), null));
        SpooledBody first = spool.acquire(v1);
        first.release();

        // A revalidation: new fields, the same body object.
        store.put("a", rep(variant(v1, null, "\"1-revalidated\""), null));
        SpooledBody again = spool.acquire(v1);
        assertSame(first, again, "the same file, not written again");
        again.release();
        assertEquals(1, files());

        Bytes v2 = body(MIN, 2);
        SpooledBody sending = spool.acquire(v1);
        store.put("a", rep(variant(v2, null, "\"2\""), null));
        assertNull(spool.acquire(v1), "replaced: a new response writes v2");
        assertTrue(Files.exists(sending.file()), "the response under way keeps v1");
        sending.release();
        assertFalse(Files.exists(sending.file()));
        assertEquals(1, files());
        assertEquals(MIN, spool.spooledBytes());
    }

    @Test
    void removedAndEvictedBodiesAreLetGo() throws Exception {
        Representation big = rep(variant(body(MIN, 1), null, "\"1\""), null);
        RepresentationStore<Integer> store = RepresentationStore.boundedBy(3 * big.weight(), spool);
        store.put(0, big);
        store.remove(0);
        assertEquals(0, files());
        for (int i = 0; i < 10; i++) {
            store.put(i, rep(variant(body(MIN, i), null, "\"" + i + "\""), null));
        }
        assertTrue(store.size() <= 3, "held " + store.size());
        assertEquals(store.size(), files(), "a file for each body held, none for the evicted");
        assertEquals(store.size() * MIN, spool.spooledBytes());
    }

    @Test
    void aRepresentationHeavierThanTheBoundLeavesNoFile() throws Exception {
        RepresentationStore<String> store = RepresentationStore.boundedBy(MIN, spool);
        store.put("a", rep(variant(body(MIN, 1), null, "\"1\""), null));
        assertNull(store.get("a"));
        assertEquals(0, files());
    }

    /**
     * A representation larger than the store's bound is evicted as soon as it is put. Its bodies
     * were spooled all the same, a file written and deleted at every fetch of it (a 4.8 MB cost
     * map under {@code --max-bytes 1MB}: at every request), and nothing said why it was never held.
     */
    @Test
    void aRepresentationOverTheBoundIsNotSpooledAndIsSaidOncePerKey() throws Exception {
        RepresentationStore<String> store = RepresentationStore.boundedBy(4L * MIN, spool);
        Bytes identity = body(MIN * 3, 4);
        List<String> spooledWhenStored = new CopyOnWriteArrayList<>();
        store.addListener((key, r, change) -> {
            if (change == StoreListener.Change.STORED) {
                SpooledBody f = spool.acquire(r.identity().body());
                spooledWhenStored.add(key + (f == null ? " not spooled" : " spooled"));
                if (f != null) {
                    f.release();
                }
            }
        });
        try (CapturedLogs logs = CapturedLogs.of(RepresentationStore.class)) {
            store.put("/costmap/big", rep(variant(identity, null, "\"b\""), null));
            store.put("/costmap/big", rep(variant(identity, null, "\"b\""), null));
            store.put("/costmap/other", rep(variant(body(MIN * 3, 5), null, "\"o\""), null));
            assertEquals(List.of("/costmap/big not spooled", "/costmap/big not spooled", "/costmap/other not spooled"),
                    spooledWhenStored);
            assertTrue(identity.hasDirectCopy(), "written from its direct copy, as a body not spooled is");
            assertNull(store.get("/costmap/big"), "never held");
            List<String> said = logs.events().stream().map(e -> e.getFormattedMessage()).toList();
            assertEquals(2, said.size(), "once per key: " + said);
            long weight = rep(variant(identity, null, "\"b\""), null).weight();
            assertEquals("/costmap/big: " + weight + " bytes to hold (both variants; a body of 16 KB or more counts"
                    + " twice), over the store's bound of " + 4L * MIN + " bytes (cache.max-bytes): served as fetched but"
                    + " never held, so every request for it goes upstream", said.get(0));
        }
        assertEquals(0, files());
    }
}
