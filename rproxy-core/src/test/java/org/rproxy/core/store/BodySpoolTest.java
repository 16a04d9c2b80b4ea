package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.Bytes;

/**
 * The spool's reference counting: a body's file lives while the store holds a variant with it or
 * a response still sends it, is shared by every variant around the same bytes, and is deleted
 * with its memory when the last of them lets go, in whatever order.
 */
class BodySpoolTest {
    private static final int MIN = 64 * 1024;

    @TempDir
    Path parent;
    BodySpool spool;

    @AfterEach
    void close() {
        if (spool != null) {
            spool.close();
        }
    }

    private static Bytes body(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return Bytes.wrap(b);
    }

    private static byte[] read(SpooledBody f) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate((int) f.length());
        while (buf.hasRemaining()) {
            f.channel().read(buf, buf.position());
        }
        return buf.array();
    }

    /** The bodies' files in {@code dir} (its lock file apart). */
    private long filesIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> !f.getFileName().toString().equals(SpoolDirectories.LOCK)).count();
        }
    }

    @Test
    void aHeldBodyIsOneFileWithItsBytesAndGoesWithItsLastHolder() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        Bytes b = body(MIN, 1);
        assertTrue(spool.hold(b));
        assertTrue(spool.hold(b), "a second variant around the same bytes");
        SpooledBody f = spool.acquire(b);
        assertNotNull(f);
        assertArrayEquals(b.unsafeArray(), read(f));
        assertEquals(1, filesIn(spool.directory()), "one file for both holders");
        assertEquals(MIN, spool.spooledBytes());
        f.release();

        spool.letGo(b);
        assertTrue(Files.exists(f.file()), "one holder left");
        spool.letGo(b);
        assertFalse(Files.exists(f.file()));
        assertEquals(0, f.refCnt());
        assertEquals(0, spool.spooledBytes());
        assertNull(spool.acquire(b), "let go: the next response writes from memory");
    }

    @Test
    void aResponseInFlightKeepsTheFileAfterTheStoreLetsGoAndTheLastOneDeletesIt() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        Bytes b = body(MIN + 1, 2);
        spool.hold(b);
        SpooledBody first = spool.acquire(b);
        SpooledBody second = spool.acquire(b);
        assertSame(first, second);
        assertEquals(3, first.refCnt(), "the spool's and two responses'");

        spool.letGo(b);
        assertNull(spool.acquire(b));
        assertTrue(Files.exists(first.file()), "still being sent");
        assertArrayEquals(b.unsafeArray(), read(first), "and still whole");
        first.release();
        assertTrue(Files.exists(first.file()));
        second.release();
        assertFalse(Files.exists(first.file()));
        assertFalse(first.channel().isOpen());
        assertEquals(0, spool.spooledBytes());
    }

    @Test
    void theLastReleaseLeavesClosingAndDeletingToTheSpoolsThreadNotTheReleasingOne() throws Exception {
        List<Runnable> handedOff = new ArrayList<>();
        spool = BodySpool.open(parent, MIN, handedOff::add);
        Bytes b = body(MIN, 9);
        spool.hold(b);
        SpooledBody f = spool.acquire(b);
        spool.letGo(b);
        f.release(); // as an event loop does when the response is written
        assertEquals(0, f.refCnt());
        assertTrue(Files.exists(f.file()), "no file I/O on the releasing thread");
        assertEquals(1, handedOff.size());
        handedOff.get(0).run();
        assertFalse(Files.exists(f.file()));
        assertFalse(f.channel().isOpen());
        assertEquals(0, spool.spooledBytes());
    }

    @Test
    void theSpoolsOwnThreadFreesAndAfterCloseTheLastReleaseFreesItself() throws Exception {
        spool = BodySpool.open(parent, MIN);
        Bytes b = body(MIN, 10);
        spool.hold(b);
        spool.letGo(b);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (spool.spooledBytes() > 0 && System.nanoTime() < end) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertEquals(0, spool.spooledBytes());
        assertEquals(0, filesIn(spool.directory()));

        Bytes c = body(MIN, 11);
        spool.hold(c);
        SpooledBody sending = spool.acquire(c);
        spool.close();
        sending.release();
        assertFalse(sending.channel().isOpen(), "freed at once: the spool's thread has stopped");
    }

    @Test
    void aFreedBodyCannotBeRetainedNorReleasedAgain() {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        Bytes b = body(MIN, 3);
        spool.hold(b);
        SpooledBody f = spool.acquire(b);
        f.release();
        spool.letGo(b);
        assertFalse(f.tryRetain());
        assertThrows(IllegalStateException.class, f::release);
    }

    @Test
    void equalBytesInAnotherObjectAreAnotherFileAndSmallBodiesAreNotSpooled() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        Bytes a = body(MIN, 4);
        Bytes copy = Bytes.copyOf(a.unsafeArray());
        spool.hold(a);
        assertNull(spool.acquire(copy), "looked up by identity, never by hashing megabytes");
        assertFalse(spool.hold(body(MIN - 1, 5)));
        assertEquals(1, filesIn(spool.directory()));
        assertEquals(0, spool.sends());
        spool.acquire(a).release();
        assertEquals(1, spool.sends());
    }

    @Test
    void closingDeletesTheDirectoryAndRefusesNewBodies() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        Bytes b = body(MIN, 6);
        spool.hold(b);
        SpooledBody sending = spool.acquire(b);
        Path dir = spool.directory();
        spool.close();
        assertFalse(Files.exists(dir));
        assertFalse(spool.hold(body(MIN, 7)));
        assertArrayEquals(b.unsafeArray(), read(sending), "a response under way still reads its open file");
        sending.release();
        assertFalse(sending.channel().isOpen());
        assertEquals(0, spool.spooledBytes());
    }

    @Test
    void openingRemovesTheSpoolsOfProcessesThatAreGoneAndKeepsTheLivingOnes() throws Exception {
        // Above the kernel's pid limit (4194304 at most), so no process has it.
        Path dead = Files.createDirectory(parent.resolve("rproxy-spool-999999999-abc"));
        Files.write(dead.resolve("body-1"), new byte[10]);
        Path living = Files.createDirectory(parent.resolve("rproxy-spool-" + ProcessHandle.current().pid() + "-xyz"));
        Path other = Files.createDirectory(parent.resolve("not-ours"));
        spool = BodySpool.open(parent, MIN, Runnable::run);
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(living));
        assertTrue(Files.exists(other));
        assertTrue(spool.directory().getFileName().toString().startsWith("rproxy-spool-" + ProcessHandle.current().pid() + "-"));
    }

    @Test
    void aSpoolWhosePidLooksGoneButWhoseLockIsHeldElsewhereIsKept() throws Exception {
        // another container sharing the volume: its pid means nothing here, but its lock holds
        Path theirs = Files.createDirectory(parent.resolve("rproxy-spool-999999998-other"));
        Files.write(theirs.resolve("body-1"), new byte[10]);
        Path lockFile = theirs.resolve(SpoolDirectories.LOCK);
        Path source = Files.writeString(parent.resolve("HoldLock.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class HoldLock {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                            c.lock();
                            System.out.println("locked");
                            System.out.flush();
                            System.in.read();
                        }
                    }
                }
                """);
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process holder = new ProcessBuilder(javaBin, source.toString(), lockFile.toString()).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
            assertEquals("locked", out.readLine(), "the other process holds the lock");
            spool = BodySpool.open(parent, MIN, Runnable::run);
            assertTrue(Files.exists(theirs.resolve("body-1")), "a live spool's directory is kept");
            spool.close();
        } finally {
            holder.getOutputStream().close(); // it lets go and ends
            assertTrue(holder.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        spool = BodySpool.open(parent, MIN, Runnable::run);
        assertFalse(Files.exists(theirs), "once its lock is free, it is abandoned and removed");
    }

    @Test
    void aSpoolHoldsItsDirectorysLockUntilClosed() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        Path lockFile = spool.directory().resolve(SpoolDirectories.LOCK);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.WRITE)) {
            assertThrows(java.nio.channels.OverlappingFileLockException.class, ch::tryLock, "held by the open spool");
        }
        Path dir = spool.directory();
        spool.close();
        assertFalse(Files.exists(dir));
    }

    @Test
    void anUnusableDirectoryOrThresholdIsRefused() throws Exception {
        Path file = Files.write(parent.resolve("a-file"), new byte[1]);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> BodySpool.open(file, MIN));
        assertEquals(file + " is not a writable directory", e.getMessage());
        assertThrows(UncheckedIOException.class, () -> BodySpool.open(parent.resolve("missing"), MIN));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> BodySpool.open(parent, 1024));
        assertEquals("minBytes: 1024 (expected: >= 16384)", small.getMessage());
    }

    @Test
    void racingResponsesAndReplacementsLeaveNoFileAndNoReferenceBehind() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        List<Bytes> versions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            versions.add(body(MIN, 100 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                readers.add(pool.submit(() -> {
                    go.await();
                    int sent = 0;
                    for (int round = 0; round < 2_000; round++) {
                        for (Bytes v : versions) {
                            SpooledBody f = spool.acquire(v);
                            if (f != null) {
                                assertEquals(MIN, f.channel().size(), "never a file being deleted");
                                f.release();
                                sent++;
                            }
                        }
                    }
                    return sent;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                go.await();
                for (Bytes v : versions) {
                    spool.hold(v);
                    spool.hold(v);
                    spool.letGo(v);
                    spool.letGo(v);
                }
                return null;
            });
            go.countDown();
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Integer> r : readers) {
                r.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, filesIn(spool.directory()));
        assertEquals(0, spool.spooledBytes());
    }

    /**
     * A hold racing the spool's close (a refresh taking a large body as the proxy stops): however
     * they interleave, close leaves no directory and no file, and no open file behind either (a
     * hold that comes too late is refused). Before, a hold that had passed its "closed?" check
     * wrote its file while close listed the directory: the file was left there (the directory with
     * it, for the next start to clean), or deleted under the still open channel, never closed.
     */
    @Test
    void holdsOfOneBodyRacingShareOneFileAndTheLosersFilesGo() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                Bytes b = body(MIN, round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> holds = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    holds.add(pool.submit(() -> {
                        start.await();
                        return spool.hold(b); // each writes the file outside the map; one file stays
                    }));
                }
                start.countDown();
                for (Future<Boolean> h : holds) {
                    assertTrue(h.get(30, TimeUnit.SECONDS));
                }
                assertEquals(1, filesIn(spool.directory()), "round " + round);
                assertEquals(MIN, spool.spooledBytes());
                SpooledBody f = spool.acquire(b);
                assertArrayEquals(b.unsafeArray(), read(f));
                f.release();
                for (int t = 0; t < threads; t++) {
                    spool.letGo(b);
                }
                assertNull(spool.acquire(b), "every holder counted once, the last let go");
                assertEquals(0, filesIn(spool.directory()));
                assertEquals(0, spool.spooledBytes());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aHoldRacingCloseLeavesNoFileBehind() throws Exception {
        ExecutorService holder = Executors.newSingleThreadExecutor();
        List<String> left = new ArrayList<>();
        try {
            for (int round = 0; round < 200; round++) {
                BodySpool s = BodySpool.open(parent, MIN, Runnable::run);
                Bytes b = body(MIN, round);
                CountDownLatch go = new CountDownLatch(2);
                Future<Boolean> held = holder.submit(() -> {
                    go.countDown();
                    go.await();
                    return s.hold(b);
                });
                go.countDown();
                go.await();
                s.close();
                boolean took = held.get(30, TimeUnit.SECONDS);
                if (Files.exists(s.directory()) || s.spooledBytes() != 0) {
                    left.add("round " + round + ": held " + took + ", directory there " + Files.exists(s.directory())
                            + (Files.exists(s.directory()) ? " with " + filesIn(s.directory()) + " files" : "")
                            + ", " + s.spooledBytes() + " bytes in open files");
                }
            }
        } finally {
            holder.shutdownNow();
        }
        assertEquals(List.of(), left, left.size() + " of 200 rounds left a file");
    }
}
