package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A demo stopped in its first seconds (Ctrl-C or SIGTERM while it writes its key and starts its
 * nodes) removes its temporary folder and the key in it, as a later stop does: its shutdown hook
 * was installed only once every node ran, so a stop before that left the folder with the private
 * key. A start that loses the race with the stop writes nothing more, and a demo handed over after
 * the stop is closed at once.
 */
class DemoEarlyStopTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalWhileTheDemoStartsRemovesItsTemporaryFolderAndKey(String signal, int status) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path err = dir.resolve("demo.err");
        // SIGINT as a terminal's Ctrl-C sends it, whether or not this build runs with it ignored
        Process demo = DemoProcess.startInterruptible(null, tmp, err, "demo", "--port", "0");
        try {
            Path key = awaitKey(demo, tmp, err);
            // at once: the nodes are still starting (they take far longer than this wait to see the key)
            if (signal.equals("TERM")) {
                demo.destroy(); // SIGTERM
            } else {
                Process kill = new ProcessBuilder("bash", "-c", "kill -INT " + demo.pid()).inheritIO().start();
                assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill ran");
                assertEquals(0, kill.exitValue(), "kill -INT " + demo.pid());
            }
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo stopped");
            String said = DemoProcess.readQuietly(err);
            assertEquals(status, demo.exitValue(), said);
            assertFalse(Files.exists(key), "the private key " + key + " is left behind; " + said);
            assertEquals(List.of(), DemoProcess.demoFolders(tmp), said);
        } finally {
            demo.destroyForcibly();
            demo.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Waits (60 s at most, polling every few milliseconds) for the demo's key in {@code tmp}; returns it. */
    private static Path awaitKey(Process demo, Path tmp, Path err) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            for (Path work : DemoProcess.demoFolders(tmp)) {
                Path key = work.resolve("keys/origin.key");
                if (Files.exists(key)) {
                    return key;
                }
            }
            if (!demo.isAlive()) {
                throw new AssertionError("the demo ended before it wrote its key: " + DemoProcess.readQuietly(err));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        throw new AssertionError("no key within 60 s: " + DemoProcess.readQuietly(err));
    }

    @Test
    void aStartThatComesAfterTheRemovalWritesNothing() throws Exception {
        DemoFiles files = new DemoFiles();
        Path work = files.temporaryFolder(dir);
        files.remove();

        IOException refused = assertThrows(IOException.class,
                () -> files.write(work.resolve("origin.key"), f -> Files.writeString(f, "key")));

        assertEquals(work.resolve("origin.key") + ": not written, the demo is stopping", refused.getMessage());
        assertFalse(Files.exists(work), "the folder went, and no key was written into it again");
        assertThrows(IOException.class, () -> files.folders(dir.resolve("given")));
        assertFalse(Files.exists(dir.resolve("given")));
    }

    @Test
    void aDemoHandedOverAfterTheStopIsClosedAtOnce() throws Exception {
        DemoFiles files = new DemoFiles();
        Path work = files.temporaryFolder(dir);
        RunningDemo demo = RunningDemo.start(files, work, 0);
        int port = demo.origin().address().getPort();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        DemoStop stop = new DemoStop(files, true, new PrintStream(said, true, StandardCharsets.UTF_8));

        stop.run(); // the hook, before the start handed the demo over
        boolean handed = stop.started(demo);

        assertFalse(handed, "too late: the demo is closed rather than run");
        assertFalse(Files.exists(work), said.toString(StandardCharsets.UTF_8));
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, s.getLocalPort());
        } catch (IOException e) {
            throw new AssertionError("the origin's port " + port + " still taken", e);
        }
    }
}
