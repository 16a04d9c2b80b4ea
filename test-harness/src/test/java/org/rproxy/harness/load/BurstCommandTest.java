package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.harness.HarnessMain;

import picocli.CommandLine;

/** {@code harness burst}: failures have no latency, and a request that never ends fails the run. */
class BurstCommandTest {
    @TempDir
    static Path dir;

    /** What a test server does with its k-th connection (from 0); runs on a thread of its own. */
    private interface Behaviour {
        void serve(int k, Socket s) throws Exception;
    }

    /** A raw server on 127.0.0.1; every connection it accepted is closed with it. */
    private static final class RawServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        private final Queue<Socket> held = new ConcurrentLinkedQueue<>();

        RawServer(Behaviour behaviour) throws IOException {
            Thread acceptor = new Thread(() -> {
                for (int k = 0; k < 100; k++) {
                    Socket s;
                    try {
                        s = socket.accept();
                    } catch (IOException e) {
                        return;
                    }
                    held.add(s);
                    int n = k;
                    Thread t = new Thread(() -> {
                        try {
                            behaviour.serve(n, s);
                        } catch (Exception e) {
                            // the client went away
                        }
                    }, "raw-server-" + k);
                    t.setDaemon(true);
                    t.start();
                }
            }, "raw-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/directory";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private record Run(int exit, String out) {
    }

    private static Run burst(String url, int concurrency, int timeoutSeconds) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new BurstCommand()).setOut(new PrintWriter(out, true));
        int exit = cl.execute("--url", url, "--concurrency", "" + concurrency, "--timeout-seconds", "" + timeoutSeconds);
        return new Run(exit, out.toString());
    }

    /** A closed port is the run failing (1), not a usage error (2), and the error names the URL. */
    @Test
    void aClosedPortFailsTheRunNamingTheUrl() throws IOException {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            String url = "http://127.0.0.1:" + port + "/directory";
            StringWriter err = new StringWriter();
            CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                    .setErr(new PrintWriter(err, true));
            assertEquals(1, cl.execute("burst", "--url", url, "--concurrency", "3"), err.toString());
            assertTrue(err.toString().contains("harness burst: cannot connect to " + url + ": Connection refused"), err.toString());
        }
    }

    /**
     * An https URL gets TLS, never the request in clear text: at a port that answers anything in
     * clear (which made an https burst pass when the scheme was only dropped) the first bytes it
     * reads are a TLS handshake record, not a request, and the run fails saying the handshake failed.
     */
    @Test
    void anHttpsUrlIsAskedOverTlsNeverInClearText() throws Exception {
        List<Integer> firstBytes = Collections.synchronizedList(new ArrayList<>());
        try (RawServer server = new RawServer((k, s) -> {
            firstBytes.add(s.getInputStream().read());
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.close();
        })) {
            String url = server.url().replace("http://", "https://");
            StringWriter err = new StringWriter();
            CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                    .setErr(new PrintWriter(err, true));
            assertEquals(1, cl.execute("burst", "--url", url, "--concurrency", "2"), err.toString());
            assertTrue(err.toString().contains("harness burst: cannot connect to " + url + ": TLS handshake failed: "),
                    err.toString());
            assertEquals(List.of(0x16), firstBytes, "a TLS handshake record, no request line");
        }
    }

    /** Bad TLS options are refused before any connection, naming the option and why (exit 2). */
    @Test
    void badTlsOptionsAreRefusedNamingTheOption() throws Exception {
        Path cert = TestCertificates.make(dir, "burst-ca").cert();
        Path missing = dir.resolve("missing.pem");
        assertBurstRefused("--ca " + missing + ": no such file", "--url", "https://127.0.0.1:1/directory", "--ca",
                missing.toString());
        assertBurstRefused("--ca " + cert + ": no https URL to use it for", "--url", "http://127.0.0.1:1/directory",
                "--ca", cert.toString());
        assertBurstRefused("--url: ftp://127.0.0.1:1/x (expected: http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH)",
                "--url", "ftp://127.0.0.1:1/x");
    }

    private static void assertBurstRefused(String message, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("burst", "--concurrency", "1"));
        all.addAll(List.of(args));
        assertEquals(2, cl.execute(all.toArray(String[]::new)), err.toString());
        assertTrue(err.toString().startsWith("harness burst: " + message), err.toString());
    }

    /** A URL without a port means port 80, as for any HTTP client, not "port out of range: -1" (exit 2). */
    @Test
    void aUrlWithoutAPortMeansPort80() {
        StringWriter err = new StringWriter();
        CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true));
        int exit = cl.execute("burst", "--url", "http://127.0.0.1/directory", "--concurrency", "1", "--timeout-seconds", "2");
        assertTrue(exit != 2 && !err.toString().contains("out of range"), exit + " " + err);
    }

    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        for (int i = 0; i < 65_536 && state < 4; i++) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            state = (c == '\r' && state % 2 == 0) || (c == '\n' && state % 2 == 1) ? state + 1 : 0;
        }
    }

    @Test
    void failedRequestsHaveNoLatency() throws Exception {
        // two connections are answered 200 after 300 ms; three are never answered (the read limit fails them)
        try (RawServer server = new RawServer((k, s) -> {
            readHead(s.getInputStream());
            if (k >= 2) {
                return;
            }
            Thread.sleep(300);
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.close();
        })) {
            Run r = burst(server.url(), 5, 1);
            assertEquals(1, r.exit(), r.out());
            Matcher p50 = Pattern.compile("p50 ([0-9.]+) ms").matcher(r.out());
            assertTrue(p50.find(), r.out());
            assertTrue(Double.parseDouble(p50.group(1)) >= 290, "the median of the answered, not a failure's 0 ms: " + r.out());
            assertTrue(r.out().contains("latency of the 2 answered"), r.out());
            assertTrue(r.out().contains("3 failed"), r.out());
        }
    }

    /**
     * A server that reads the request and never answers is the plainest request without an end:
     * its reads wait out the limit, and the summary says so, as for a request cut off at the
     * limit, rather than "error: SocketTimeoutException" beside "0 did not end in time".
     */
    @Test
    void aServerThatNeverAnswersIsCountedAsNoEndWithinTheLimit() throws Exception {
        try (RawServer server = new RawServer((k, s) -> {
            readHead(s.getInputStream());
            s.getInputStream().read(); // holds the connection open, answering nothing, until the client closes it
        })) {
            Run r = burst(server.url(), 3, 1);
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("statuses {no end within 1 s=3}"), r.out());
            assertTrue(r.out().contains("3 failed (3 did not end in time)"), r.out());
        }
    }

    @Test
    void requestsThatDoNotEndInTimeFailTheRun() throws Exception {
        // a 200 whose headers never end: a byte every 200 ms, so no single read waits out the limit
        try (RawServer server = new RawServer((k, s) -> {
            readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 300; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(200);
            }
        })) {
            long t0 = System.nanoTime();
            Run r = burst(server.url(), 3, 1);
            assertEquals(1, r.exit(), "not one request ended: " + r.out());
            assertTrue(r.out().contains("no end within 1 s=3"), r.out());
            assertTrue(r.out().contains("latency: none answered"), r.out());
            assertTrue(r.out().contains("3 failed (3 did not end in time)"), r.out());
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the limit holds for each request");
        }
    }
}
