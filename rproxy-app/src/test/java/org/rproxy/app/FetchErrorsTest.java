package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.testing.RefusedPort;

/**
 * {@code rproxy fetch} names the URL and the reason for every way a fetch can fail, each with its
 * own exit code, over real sockets: a closed port, a server that never answers, one that answers
 * garbage or hangs up, a TLS server whose certificate is not trusted, and an ALTO error.
 */
class FetchErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            String url = "http://127.0.0.1:" + port + "/prop/pid";
            CommandRun run = CommandRun.of("fetch", url, "--trust", SignedOrigin.anyKey(dir).toString());
            assertEquals(3, run.exit(), run.toString());
            assertEquals("UNREACHABLE " + url + ": connection refused\n", run.out(), run.toString());
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        // The kernel completes the handshake from the backlog; nothing ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/prop/pid";
            CommandRun run = CommandRun.of("fetch", url, "--trust", SignedOrigin.anyKey(dir).toString(),
                    "--timeout", "1s");
            assertEquals(4, run.exit(), run.toString());
            assertEquals("TIMEOUT " + url + ": no complete response within 1s\n", run.out(), run.toString());
        }
    }

    @Test
    void aServerThatStallsTheBodyTimesOutWithinTheTimeout() throws Exception {
        CommandRun run = againstHoldingServer("HTTP/1.1 200 OK\r\nContent-Type: application/alto-networkmap+json\r\n"
                + "Content-Length: 1000\r\n\r\n{\"meta\"", "--timeout", "1s");
        assertEquals(4, run.exit(), run.toString());
        assertTrue(run.out().matches("TIMEOUT http://127\\.0\\.0\\.1:\\d+/prop/pid: no complete response within 1s\n"),
                run.toString());
    }

    @Test
    void aBodyOverMaxBodyIsRefusedAtItsHead() throws Exception {
        CommandRun run = againstHoldingServer("HTTP/1.1 200 OK\r\nContent-Type: application/alto-networkmap+json\r\n"
                + "Content-Length: 536870912\r\n\r\n", "--max-body", "1MB");
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().contains("a body of 536870912 bytes declared (expected: at most 1048576"), run.toString());
    }

    /** A server that answers one request with {@code head} and then holds the connection (10 s at most). */
    private CommandRun againstHoldingServer(String head, String... options) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    readHead(s.getInputStream());
                    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read(); // until the client gives up (or 10 s)
                } catch (IOException gone) {
                    // the client closed: as intended
                }
            });
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/prop/pid";
            List<String> args = new ArrayList<>(List.of("fetch", url, "--trust", SignedOrigin.anyKey(dir).toString()));
            args.addAll(List.of(options));
            long start = System.nanoTime();
            CommandRun run = CommandRun.of(args.toArray(String[]::new));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "not held by the server: " + run);
            served.get(20, TimeUnit.SECONDS);
            return run;
        }
    }

    @Test
    void garbageIsAnInvalidResponse() throws Exception {
        CommandRun run = againstOneShotServer("this is not HTTP\r\n\r\n");
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().matches("INVALID http://127\\.0\\.0\\.1:\\d+/prop/pid: not a valid HTTP response: .+\n"),
                run.toString());
    }

    @Test
    void aServerThatHangsUpIsAnInvalidResponse() throws Exception {
        CommandRun run = againstOneShotServer("");
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().matches("INVALID http://127\\.0\\.0\\.1:\\d+/prop/pid: "
                + "the connection closed before a complete response\n"), run.toString());
    }

    @Test
    void aSignedFieldSentTwiceIsVerifiedAsTheValuesTogetherAsTheBundleHoldsThem() throws Exception {
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            HttpResponse<byte[]> genuine = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(origin.url("/prop/pid"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, genuine.statusCode());
            StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
            genuine.headers().map().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("connection") && !name.equalsIgnoreCase("content-length")) {
                    values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
                }
            });
            // the genuine entity tag first, then a second one: the first alone verifies
            head.append("ETag: \"not-the-origins\"\r\n").append("Content-Length: ").append(genuine.body().length)
                    .append("\r\nConnection: close\r\n\r\n");
            byte[] reply = (head + new String(genuine.body(), StandardCharsets.ISO_8859_1))
                    .getBytes(StandardCharsets.ISO_8859_1);
            Path bundle = dir.resolve("twice.http");
            CommandRun run = againstOneShotServer(reply, origin.pub(), "-o", bundle.toString());
            assertEquals(1, run.exit(), run.toString());
            assertTrue(run.out().startsWith("INVALID http://127.0.0.1:"), run.toString());
            assertTrue(java.nio.file.Files.notExists(bundle), "no bundle that rproxy verify would refuse");
        }
    }

    private CommandRun againstOneShotServer(String reply) throws Exception {
        return againstOneShotServer(reply.getBytes(StandardCharsets.US_ASCII), SignedOrigin.anyKey(dir));
    }

    /**
     * A server that reads each request head, writes {@code reply} and closes, for a few
     * connections (the JDK client retries a GET once on a connection closed without an answer).
     */
    private CommandRun againstOneShotServer(byte[] reply, Path trust, String... more) throws Exception {
        ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        CompletableFuture<Void> served;
        CommandRun run;
        try {
            served = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 4; i++) {
                    try (Socket s = server.accept()) {
                        s.setSoTimeout(10_000);
                        readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write(reply);
                        out.flush();
                    } catch (IOException closedByTheTest) {
                        return;
                    }
                }
            });
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/prop/pid";
            List<String> args = new ArrayList<>(List.of("fetch", url, "--trust", trust.toString(), "--timeout", "10s"));
            args.addAll(List.of(more));
            run = CommandRun.of(args.toArray(String[]::new));
        } finally {
            server.close(); // ends the accepting loop
        }
        served.get(20, TimeUnit.SECONDS);
        return run;
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == end.length) {
                return;
            }
        }
    }

    @Test
    void anUntrustedCertificateIsATlsFailureAndTrustingItsCaVerifies() throws Exception {
        try (SignedOrigin origin = SignedOrigin.start(dir, true)) {
            String url = origin.url("/prop/pid");
            assertTrue(url.startsWith("https://127.0.0.1:"), url);
            CommandRun untrusted = CommandRun.of("fetch", url, "--trust", origin.pub().toString());
            assertEquals(5, untrusted.exit(), untrusted.toString());
            assertTrue(untrusted.out().startsWith("TLS-FAILURE " + url + ": the server's certificate is not accepted: "),
                    untrusted.toString());
            CommandRun trusted = CommandRun.of("fetch", url, "--trust", origin.pub().toString(),
                    "--ca", origin.cert().toString());
            assertEquals(0, trusted.exit(), trusted.toString());
            assertTrue(trusted.out().startsWith("VALID default-network-map path=/prop/pid "), trusted.toString());
        }
    }

    @Test
    void aFetchWithOrWithoutOriginWordsTheSameFailureAlike() throws Exception {
        // rproxy fetch URL words a failure itself, rproxy fetch --origin through the client library:
        // one wording (core's TransportFailures) for both
        try (SignedOrigin origin = SignedOrigin.start(dir, true)) {
            String url = origin.url("/prop/pid");
            CommandRun plain = CommandRun.of("fetch", url, "--trust", origin.pub().toString());
            CommandRun viaClient = CommandRun.of("fetch", "--origin", url.replace("/prop/pid", ""), "--trust",
                    origin.pub().toString(), "/prop/pid");
            assertSameReason(5, "TLS-FAILURE", plain, viaClient);
            assertTrue(plain.out().contains(": the server's certificate is not accepted: "), plain.toString());
        }
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            String base = "http://127.0.0.1:" + silent.getLocalPort();
            CommandRun plain = CommandRun.of("fetch", base + "/directory", "--trust", SignedOrigin.anyKey(dir).toString(),
                    "--timeout", "1s");
            CommandRun viaClient = CommandRun.of("fetch", "--origin", base, "--keyid", "A".repeat(43), "/directory",
                    "--timeout", "1s");
            assertSameReason(4, "TIMEOUT", plain, viaClient);
        }
    }

    /** Both runs end with {@code exit} and {@code word}, and the client's reason ends with the plain fetch's. */
    private static void assertSameReason(int exit, String word, CommandRun plain, CommandRun viaClient) {
        assertEquals(exit, plain.exit(), plain.toString());
        assertEquals(exit, viaClient.exit(), viaClient.toString());
        assertTrue(plain.out().startsWith(word + " ") && viaClient.out().startsWith(word + " "), plain + "\n" + viaClient);
        String reason = plain.out().substring(plain.out().indexOf(": ") + 2);
        assertTrue(viaClient.out().endsWith(": " + reason), "expected the reason '" + reason.strip() + "' from both: "
                + viaClient.out());
    }

    @Test
    void anEquivalentTargetIsVerifiedAgainstItsNormalForm() throws Exception {
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            CommandRun run = CommandRun.of("fetch", origin.url("/cost/map?%74ype=%68opcount"), "--trust",
                    origin.pub().toString());
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VALID hopcount-map path=/cost/map?type=hopcount "), run.toString());
        }
    }

    @Test
    void anAltoErrorIsRefusedWithItsCodeAndField() throws Exception {
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            String url = origin.url("/cost/row?srcpid=PID1&type=nosuchtype");
            CommandRun run = CommandRun.of("fetch", url, "--trust", origin.pub().toString());
            assertEquals(6, run.exit(), run.toString());
            assertTrue(run.out().startsWith("REFUSED " + url + ": status 400 E_INVALID_FIELD_VALUE field=type"),
                    run.toString());
            String json = origin.url("/networkmap/no-such-map");
            CommandRun jsonError = CommandRun.of("fetch", json, "--trust", origin.pub().toString());
            assertEquals(6, jsonError.exit(), jsonError.toString());
            assertTrue(jsonError.out().startsWith("REFUSED " + json + ": status 404 E_"), jsonError.toString());
            String missing = origin.url("/no/such/thing");
            CommandRun notFound = CommandRun.of("fetch", missing, "--trust", origin.pub().toString());
            assertEquals(6, notFound.exit(), notFound.toString());
            assertTrue(notFound.out().startsWith("REFUSED " + missing + ": status 404"), notFound.toString());
        }
    }

    @Test
    void aFetchThatFailsWritesNoBundle() throws Exception {
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            Path bundle = dir.resolve("b.http");
            CommandRun run = CommandRun.of("fetch", origin.url("/prop/pid"), "--trust", origin.otherPub().toString(),
                    "-o", bundle.toString());
            assertEquals(1, run.exit(), run.toString());
            assertTrue(run.out().startsWith("INVALID " + origin.url("/prop/pid") + ": UNKNOWN_KEY: "), run.toString());
            assertTrue(java.nio.file.Files.notExists(bundle));
        }
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, CommandRun.of("fetch", "http://127.0.0.1:1/x", "--trust", dir.resolve("none.pub").toString()).exit());
        assertEquals(2, CommandRun.of("fetch", "http://127.0.0.1:1/x", "--trust", "k.pub", "-o", "-", "--body", "-").exit());
    }
}
