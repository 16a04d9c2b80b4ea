package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The direct copy behind {@link Bytes#directView()}: same bytes, made once, read-only, no part of equality. */
class BytesTest {

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] contents(ByteBuffer view) {
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    @Test
    void theDirectViewHoldsExactlyTheBytes() {
        byte[] data = random(70_000);
        Bytes b = Bytes.copyOf(data);
        ByteBuffer view = b.directView();
        assertTrue(view.isDirect());
        assertEquals(0, view.position());
        assertEquals(data.length, view.limit());
        assertArrayEquals(data, contents(view));
    }

    @Test
    void theCopyIsMadeOnceAndEveryCallGetsItsOwnView() {
        Bytes b = Bytes.copyOf(random(1000));
        assertFalse(b.hasDirectCopy());
        ByteBuffer first = b.directView();
        assertTrue(b.hasDirectCopy());
        first.position(500);
        ByteBuffer second = b.directView();
        assertNotSame(first, second);
        assertEquals(0, second.position(), "moving one view does not move the next");
        assertEquals(1000, second.remaining());
    }

    @Test
    void theDirectViewCannotChangeTheBytes() {
        Bytes b = Bytes.copyOf(random(100));
        assertTrue(b.directView().isReadOnly());
        assertThrows(ReadOnlyBufferException.class, () -> b.directView().put(0, (byte) 1));
    }

    @Test
    void theDirectCopyTakesNoPartInEquality() {
        byte[] data = random(300);
        Bytes a = Bytes.copyOf(data);
        Bytes b = Bytes.copyOf(data);
        a.directView();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertArrayEquals(data, a.toArray());
    }

    @Test
    void emptyBytesHaveAnEmptyDirectView() {
        assertEquals(0, Bytes.empty().directView().remaining());
    }

    @Test
    void concurrentFirstCallsAllSeeTheSameBytes() throws Exception {
        byte[] data = random(200_000);
        Bytes b = Bytes.copyOf(data);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ByteBuffer>> views = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            views.add(pool.submit(() -> {
                start.await();
                return b.directView();
            }));
        }
        start.countDown();
        for (Future<ByteBuffer> f : views) {
            assertArrayEquals(data, contents(f.get(10, TimeUnit.SECONDS)));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertArrayEquals(data, contents(b.directView()), "the copy kept is a whole one");
    }
}
