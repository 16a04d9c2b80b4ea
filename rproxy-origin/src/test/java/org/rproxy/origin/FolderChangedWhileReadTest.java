package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.testing.CapturedLogs;

/**
 * A maps folder that changes while it is read is never loaded as a mix of two states: the old
 * beginning of a file rewritten in place joined to its new end, or the files of two deploys
 * renamed in one after the other. Each case changes the folder from inside the read (through the
 * file opener, or the watcher's loader), so it happens every time, at the same point.
 */
@SuppressWarnings("try") // watchers held open for the test's duration, not referenced
class FolderChangedWhileReadTest {
    private static final int PIDS = 100;

    @TempDir
    Path dir;

    private static String networkMap(String firstPrefix) {
        StringBuilder b = new StringBuilder("{\"meta\":{\"vtag\":{\"resource-id\":\"net\"}},\"network-map\":{\n");
        for (int i = 0; i < PIDS; i++) {
            b.append("\"P").append(i).append("\":{\"ipv4\":[\"")
                    .append(i == 0 ? firstPrefix : "10." + i + ".0.0/16").append("\"]},\n");
        }
        return b.append("\"DEFAULT\":{\"ipv4\":[\"0.0.0.0/0\"]}}}\n").toString();
    }

    /** Every cost is {@code digit}: two versions differ in their digits only, byte for byte. */
    private static byte[] costMap(char digit) {
        StringBuilder b = new StringBuilder("{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"net\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},\"cost-map\":{\n");
        for (int i = 0; i < PIDS; i++) {
            b.append("\"P").append(i).append("\":{");
            for (int j = 0; j < PIDS; j++) {
                b.append(j == 0 ? "" : ",").append("\"P").append(j).append("\":").append(digit);
            }
            b.append(i == PIDS - 1 ? "}\n" : "},\n");
        }
        return b.append("}}\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String costsOf(CostMap cm) {
        LongAdder ones = new LongAdder();
        LongAdder twos = new LongAdder();
        for (String src : cm.costs().keySet()) {
            cm.forEachCost(src, (dst, c) -> (c == 1.0 ? ones : twos).increment());
        }
        return ones + " costs of 1 and " + twos + " of 2";
    }

    /** Opens files as usual; {@code target} is rewritten in place (same size) once half of it has been read. */
    private static MapsFile.Opener rewritingHalfway(Path target, byte[] replacement) {
        return file -> {
            InputStream in = Files.newInputStream(file);
            if (!file.equals(target)) {
                return in;
            }
            long half = Files.size(file) / 2;
            return new FilterInputStream(in) {
                private long count;
                private boolean done;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (!done && count >= half) {
                        done = true;
                        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) { // no truncation
                            ByteBuffer buf = ByteBuffer.wrap(replacement);
                            while (buf.hasRemaining()) {
                                ch.write(buf, buf.position());
                            }
                        }
                    }
                    int n = super.read(b, off, len);
                    count += Math.max(n, 0);
                    return n;
                }
            };
        };
    }

    @Test
    void aFileRewrittenInPlaceWhileItIsReadIsRefusedAndReadWholeTheNextTime() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), networkMap("10.0.0.0/16"));
        Path costs = maps.resolve("costs.json");
        Files.write(costs, costMap('1'));
        // written long ago, as an operator's file is: the rewrite is told by its time (and a
        // same-size rewrite within the file system's time granularity is the watcher's to see)
        Files.setLastModifiedTime(costs, FileTime.fromMillis(Files.getLastModifiedTime(costs).toMillis() - 3_600_000));

        MapSet mixed = null;
        try {
            mixed = MapsFolder.load(maps, MapsFolder.DEFAULT_MAX_FILE_BYTES, MapsLimits.defaults(),
                    rewritingHalfway(costs, costMap('2'))).maps();
        } catch (FolderStamp.Changed e) {
            assertTrue(e.getMessage().contains("costs.json was written to"), e.getMessage());
        }
        if (mixed != null) {
            CostMap cm = mixed.costMaps().get("costs");
            fail("loaded a cost map neither version of the file holds: " + costsOf(cm) + ", as " + cm.vtag());
        }
        CostMap whole = MapsFolder.load(maps).costMaps().get("costs");
        assertEquals("0 costs of 1 and " + PIDS * PIDS + " of 2", costsOf(whole));
    }

    @Test
    void filesRenamedInWhileTheFolderIsReadAreRefusedAndReadTogetherTheNextTime() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Path net = maps.resolve("net.json");
        Path costs = maps.resolve("costs.json");
        Files.writeString(net, networkMap("10.0.0.0/16"));
        Files.write(costs, costMap('1'));
        Path newCosts = Files.write(dir.resolve("costs.tmp"), costMap('2'));
        Path newNet = Files.writeString(dir.resolve("net.tmp"), networkMap("10.200.0.0/16"));
        // the deploy, each file renamed in whole, happens once the cost map (first by name) is open
        MapsFile.Opener deployWhileReading = file -> {
            InputStream in = Files.newInputStream(file);
            if (file.equals(costs) && Files.exists(newCosts)) {
                Files.move(newCosts, costs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.move(newNet, net, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return in;
        };

        MapSet mixed = null;
        try {
            mixed = MapsFolder.load(maps, MapsFolder.DEFAULT_MAX_FILE_BYTES, MapsLimits.defaults(), deployWhileReading).maps();
        } catch (FolderStamp.Changed e) {
            assertTrue(e.getMessage().contains("costs.json was replaced, net.json was replaced"), e.getMessage());
        }
        if (mixed != null) {
            fail("loaded a set the folder never held: network map " + mixed.networkMaps().get("net").pids().get("P0")
                    + " " + mixed.networkMaps().get("net").vtag() + " with the cost map of "
                    + costsOf(mixed.costMaps().get("costs")) + ", depending on "
                    + mixed.costMaps().get("costs").dependentVtag());
        }
        MapSet after = MapsFolder.load(maps);
        assertTrue(after.networkMaps().get("net").pids().get("P0").toString().contains("10.200.0.0"));
        assertEquals(2.0, after.costMaps().get("costs").cost("P1", "P2"));
    }

    @Test
    void aLoadDuringWhichTheWatchReportsAChangeIsThrownAwayAndTheFolderReadAgain() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), networkMap("10.0.0.0/16"));
        Path costs = maps.resolve("costs.json");
        Files.write(costs, costMap('1'));
        AtomicInteger loads = new AtomicInteger();
        BlockingQueue<MapSet> handedOn = new LinkedBlockingQueue<>();
        // The watcher's first load after the one it starts from reads the folder whole, then the
        // file changes before the loader returns: the stamps agree, only the watch knows.
        MapsWatcher.Loader loader = d -> {
            MapsFolder.Loaded l = MapsFolder.load(d, MapsFolder.DEFAULT_MAX_FILE_BYTES, MapsLimits.defaults(), Files::newInputStream);
            if (loads.incrementAndGet() == 2) {
                writeAndAwaitItsEvent(maps, costs, costMap('2'));
            }
            return l;
        };
        try (MapsWatcher w = StartedWatchers.started(maps, Duration.ofMillis(50), Duration.ZERO, loader, handedOn::add,
                r -> { })) {
            // the edit that wakes the watcher (a file it does not read would not: FolderWatch)
            Files.writeString(maps.resolve("net.json"), networkMap("10.0.0.0/16"));
            MapSet first = handedOn.poll(20, TimeUnit.SECONDS);
            assertNotNull(first, "nothing loaded within 20 s");
            assertEquals("0 costs of 1 and " + PIDS * PIDS + " of 2", costsOf(first.costMaps().get("costs")),
                    "the maps handed on first are those read while the folder changed");
            assertEquals(3, loads.get());
        }
    }

    /** Writes {@code content} to {@code file} and waits (at most 10 s) until a watch of its folder is told, and a little more. */
    private static void writeAndAwaitItsEvent(Path folder, Path file, byte[] content) throws IOException {
        try (WatchService ws = FileSystems.getDefault().newWatchService()) {
            folder.register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            Files.write(file, content);
            assertNotNull(ws.poll(10, TimeUnit.SECONDS), "no event for the write");
            Thread.sleep(500); // the watcher's own watch is told by the JDK's poller thread, which no API shows
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void aFolderThatNeverHoldsStillIsReadABoundedNumberOfTimesAndTheLastGoodVersionStays() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), networkMap("10.0.0.0/16"));
        Files.write(maps.resolve("costs.json"), costMap('1'));
        AtomicInteger loads = new AtomicInteger();
        BlockingQueue<MapSet> handedOn = new LinkedBlockingQueue<>();
        BlockingQueue<String> refused = new LinkedBlockingQueue<>();
        MapsWatcher.Loader unsteady = d -> {
            int n = loads.incrementAndGet(); // the first is the load the watcher starts from
            if (n > 1 && n <= 1 + MapsWatcher.MAX_UNSTEADY_LOADS) {
                throw new FolderStamp.Changed(d + ": changed while being read (costs.json was written to)");
            }
            return MapsFolder.load(d, MapsFolder.DEFAULT_MAX_FILE_BYTES, MapsLimits.defaults(), Files::newInputStream);
        };
        try (CapturedLogs logs = CapturedLogs.of(MapsWatcher.class);
             MapsWatcher w = StartedWatchers.started(maps, Duration.ofMillis(50), Duration.ZERO, unsteady, handedOn::add,
                     refused::add)) {
            Files.write(maps.resolve("costs.json"), costMap('2'));
            String reason = refused.poll(20, TimeUnit.SECONDS);
            assertNotNull(reason, "never gave up");
            assertTrue(reason.contains("changed while being read"), reason);
            logs.awaitMessage(MapsWatcher.MAX_UNSTEADY_LOADS + " reads in a row found it changing", Duration.ofSeconds(5));
            Thread.sleep(500);
            assertEquals(1 + MapsWatcher.MAX_UNSTEADY_LOADS, loads.get(), "read again without a change");
            assertNull(handedOn.poll());
            Files.write(maps.resolve("costs.json"), costMap('1'));
            MapSet next = handedOn.poll(20, TimeUnit.SECONDS);
            assertNotNull(next, "the next change was not loaded");
            assertEquals(1.0, next.costMaps().get("costs").cost("P1", "P2"));
        }
    }
}
