package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.testing.RefusedPort;

/** What {@code rproxy origin} says at start, and when. */
class OriginCommandTest {

    /**
     * An admin port already taken stops the origin (exit 2) before it says it listens: a script
     * or an operator reading "origin listening on" may take the origin for started.
     */
    @Test
    void anAdminPortInUseStopsTheOriginBeforeItSaysItListens(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // The process's own standard output too: whatever the command prints, it prints no "listening".
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            PrintStream before = System.out;
            CommandRun run;
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            try {
                run = CommandRun.of("origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(),
                        "--key", dir.resolve("origin.key").toString(), "--admin", "127.0.0.1:" + taken.getLocalPort());
            } finally {
                System.setOut(before);
            }

            assertEquals(1, run.exit(), run.toString()); // the machine's state, not the options: started again
            assertFalse(run.out().contains("listening"), run.toString());
            assertFalse(stdout.toString(StandardCharsets.UTF_8).contains("listening"), stdout.toString(StandardCharsets.UTF_8));
            assertTrue(run.err().startsWith("rproxy origin: "), run.toString());
        }
    }

    /**
     * A maps folder over a limit of one load stops the origin at start (exit 2), naming the folder
     * and the option; {@code rproxy check} with the same options says the same; a limit below 1
     * is refused naming its option.
     */
    @Test
    void aMapsFolderOverALoadLimitStopsTheOriginAndTheCheckNamingTheOption(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        String key = dir.resolve("origin.key").toString();
        String[] options = {"--maps", maps.toString(), "--key", key, "--max-maps-documents", "3"};
        long files;
        try (var list = Files.list(maps)) {
            files = list.filter(f -> f.toString().endsWith(".json")).count();
        }

        CommandRun start = CommandRun.of(concat(new String[] {"origin", "--listen", "127.0.0.1:0"}, options));
        assertEquals(2, start.exit(), start.toString());
        assertFalse(start.out().contains("listening"), start.toString());
        assertTrue(start.err().contains(files + " maps files, over the limit of 3 (--max-maps-documents)"), start.toString());

        CommandRun check = CommandRun.of(concat(new String[] {"check"}, options));
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().contains("over the limit of 3 (--max-maps-documents)"), check.toString());

        check = CommandRun.of("check", "--maps", maps.toString(), "--key", key, "--max-network-map-size", "100B");
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().contains("over the limit of 100 bytes for a network map or endpoint properties file"
                + " (--max-network-map-size)"), check.toString());

        start = CommandRun.of("origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(), "--key", key,
                "--max-maps-documents", "0");
        assertEquals(2, start.exit(), start.toString());
        assertTrue(start.err().contains("--max-maps-documents: 0 (expected: >= 1)"), start.toString());
    }

    /**
     * A signing front whose unsigned server cannot be read at start (not up yet, as at boot, or
     * answering 503 while it starts) is stopped by the machine's state, not its options: exit 1,
     * which the units start again, naming the request and why, with nothing left listening. It
     * exited 2, "refused", which the units' RestartPreventExitStatus=2 never starts again.
     */
    @Test
    void aSigningFrontWhoseServerCannotBeReadAtStartExitsOneToBeStartedAgain(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        String key = dir.resolve("origin.key").toString();
        try (RefusedPort upstream = RefusedPort.open()) {
            int down = upstream.port();
            int listen = freePort();
            CommandRun refused = CommandRun.of("origin", "--sign-upstream", "http://127.0.0.1:" + down + "/directory",
                    "--key", key, "--listen", "127.0.0.1:" + listen);
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().startsWith("rproxy origin: GET /directory from 127.0.0.1:" + down + ": cannot connect"),
                    refused.toString());
            assertFalse(refused.out().contains("listening"), refused.toString());
            assertPortFree(listen);

            HttpServer starting = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            starting.createContext("/", exchange -> {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
            });
            starting.start();
            try {
                CommandRun unavailable = CommandRun.of("origin", "--sign-upstream", "http://127.0.0.1:"
                        + starting.getAddress().getPort() + "/directory", "--key", key, "--listen", "127.0.0.1:" + listen);
                assertEquals(1, unavailable.exit(), unavailable.toString());
                assertEquals("rproxy origin: GET http://127.0.0.1:" + starting.getAddress().getPort()
                        + "/directory: status 503", unavailable.err().strip(), unavailable.toString());
                assertPortFree(listen);
            } finally {
                starting.stop(0);
            }

            HttpServer elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            elsewhere.createContext("/", exchange -> {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            });
            elsewhere.start();
            try {
                // A URL without the directory's path: the server has nothing at /, and the line says what to give.
                String root = "http://127.0.0.1:" + elsewhere.getAddress().getPort();
                CommandRun noPath = CommandRun.of("origin", "--sign-upstream", root, "--key", key, "--listen", "127.0.0.1:" + listen);
                assertEquals(1, noPath.exit(), noPath.toString());
                assertEquals("rproxy origin: GET " + root + ": status 404 (expected the unsigned server's directory there:"
                        + " --sign-upstream names it, path included, e.g. http://alto-server:8080/directory)",
                        noPath.err().strip(), noPath.toString());
                assertPortFree(listen);
            } finally {
                elsewhere.stop(0);
            }

            // What starting again cannot change stays a refusal.
            CommandRun scheme = CommandRun.of("origin", "--sign-upstream", "ftp://127.0.0.1:" + down + "/directory",
                    "--key", key, "--listen", "127.0.0.1:0");
            assertEquals(2, scheme.exit(), scheme.toString());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, s.getLocalPort(), "nothing left listening");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
