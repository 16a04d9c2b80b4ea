package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * When the upstream client asks again: a request that meets a kept-alive connection going away
 * before its answer (the upstream closed it, or reset it) is sent once more on a fresh connection
 * (RFC 9112 §9.3.1; the pull feed's requests are safe, RFC 9110 §9.2.2). The upstream may have
 * read the first one: it then sees the request twice, the price of the retry. A request that
 * fails so on a fresh connection is not sent again. The upstream is a plain socket server on a
 * loopback port doing to each request it reads what the test scripts, so the moment the
 * connection goes is exact.
 */
class UpstreamRetryTest {
    /** What the upstream does with a request once it has read it. */
    enum Act {
        ANSWER,
        /** Closes the connection without answering (a FIN). */
        CLOSE,
        /** Resets the connection without answering (an RST: linger 0). */
        RESET,
        /** Closes the connection without answering once the test lets it ({@link ScriptedUpstream#let}). */
        CLOSE_WHEN_LET,
        /** Never answers, holding the connection until the client closes it. */
        HOLD
    }

    private ScriptedUpstream upstream;
    private UpstreamClient client;

    @BeforeEach
    void start() throws IOException {
        upstream = new ScriptedUpstream();
        // one connection: the second request reuses the first one's. The send's deadline is ample:
        // these tests wait for a close, not a timeout, and a deadline that passes first (5 s once
        // did, on a loaded machine: three connections, each served by a thread started for it)
        // ends the try or the retry as timed out, with the upstream yet to read what was sent.
        client = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", upstream.port(), null, 1,
                Duration.ofSeconds(30), Duration.ofSeconds(60), 1 << 20, 1));
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        upstream.close();
    }

    private UpstreamResponse get(String target) throws Exception {
        return client.send(UpstreamRequest.get(target, List.of())).get(90, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(value = Act.class, names = {"CLOSE", "RESET"})
    void aKeptAliveConnectionThatGoesAfterTheUpstreamReadTheRequestIsAskedAgainOnAFreshOne(Act act) throws Exception {
        assertEquals("/a on 1", get("/a").body().asUtf8());
        upstream.script.add(act);

        UpstreamResponse r = get("/b");

        assertEquals(200, r.status());
        assertEquals("/b on 2", r.body().asUtf8());
        assertEquals(List.of("/a on 1", "/b on 1", "/b on 2"), upstream.read, "read on the kept-alive connection, then again");
    }

    @ParameterizedTest
    @EnumSource(value = Act.class, names = {"CLOSE", "RESET"})
    void aFreshConnectionThatGoesBeforeTheAnswerFailsTheRequestWithoutAskingAgain(Act act) throws Exception {
        upstream.script.add(act);

        ExecutionException e = assertThrows(ExecutionException.class, () -> get("/a"));

        assertTrue(e.getCause() instanceof UpstreamException, e.toString());
        assertEquals(UpstreamException.Kind.FAILED, ((UpstreamException) e.getCause()).kind());
        assertEquals(List.of("/a on 1"), upstream.read);
        assertEquals("/b on 2", get("/b").body().asUtf8(), "the next request gets a connection of its own");
    }

    @ParameterizedTest
    @EnumSource(value = Act.class, names = {"CLOSE", "RESET"})
    void aRequestIsAskedAgainOnceAtMost(Act act) throws Exception {
        assertEquals("/a on 1", get("/a").body().asUtf8());
        upstream.script.add(act); // on the kept-alive connection
        upstream.script.add(act); // and on the fresh one

        assertThrows(ExecutionException.class, () -> get("/b"));

        assertEquals(List.of("/a on 1", "/b on 1", "/b on 2"), upstream.read, "not a third time");
    }

    /**
     * A retry waits for a connection no longer than the send's deadline: the retry of /b finds the
     * only connection taken by /c, sent after /b and held unanswered by the upstream, so /c's
     * deadline comes after /b's. The retry's wait once lasted until /c's connection was given
     * back (the pool's acquire timeout counts the whole timeout from the retry on), so /b failed
     * after /c; it fails at its own deadline, /c still waiting.
     */
    @Test
    void aRetryThatFindsEveryConnectionBusyFailsAtTheSendsDeadline() throws Exception {
        try (UpstreamClient one = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", upstream.port(), null,
                1, Duration.ofSeconds(2), Duration.ofSeconds(2), 1 << 20, 1))) {
            assertEquals("/a on 1", one.send(UpstreamRequest.get("/a", List.of())).get(10, TimeUnit.SECONDS)
                    .body().asUtf8(), "kept alive");
            upstream.script.add(Act.CLOSE_WHEN_LET); // /b, on the kept-alive connection
            upstream.script.add(Act.HOLD); // /c, on a fresh one
            CompletableFuture<UpstreamResponse> b = one.send(UpstreamRequest.get("/b", List.of()));
            awaitRead("/b on 1");
            CompletableFuture<UpstreamResponse> c = one.send(UpstreamRequest.get("/c", List.of()));
            // /c's wait for /b's connection begins on the loop: a task run after it there says it has
            // (else the close of /b's connection could come first, and /b's retry take the connection)
            CountDownLatch queued = new CountDownLatch(1);
            one.eventLoop().execute(queued::countDown);
            assertTrue(queued.await(10, TimeUnit.SECONDS));
            // whether /c had ended when /b did, taken as /b ends (both end on the client's one loop;
            // the test's thread may wake later than /c's deadline on a busy machine)
            CompletableFuture<Boolean> cEndedFirst = b.handle((r, f) -> c.isDone());
            upstream.let.countDown();

            ExecutionException e = assertThrows(ExecutionException.class, () -> b.get(10, TimeUnit.SECONDS));

            assertFalse(cEndedFirst.get(), "/b, asked again, waited for /c's connection past its own deadline; read: " + upstream.read);
            UpstreamException u = (UpstreamException) e.getCause();
            assertEquals(UpstreamException.Kind.TIMED_OUT, u.kind(), u.getMessage());
            assertEquals("no answer within 2000 ms from upstream 127.0.0.1:" + upstream.port(), u.getMessage());
            assertEquals(List.of("/a on 1", "/b on 1", "/c on 2"), upstream.read, "/b was not sent again");
        }
    }

    /** Waits until the upstream has read {@code request}. */
    private void awaitRead(String request) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!upstream.read.contains(request)) {
            assertTrue(System.nanoTime() < end, "the upstream never read " + request + ": " + upstream.read);
            Thread.sleep(5);
        }
    }

    /**
     * An HTTP/1.1 server on a loopback port, one thread per connection, reading GET requests (no
     * bodies) and doing with each the next {@link Act} of its script ({@link Act#ANSWER} once the
     * script is empty); an answer's body is the target and the connection's number.
     */
    private static final class ScriptedUpstream implements AutoCloseable {
        final Queue<Act> script = new ConcurrentLinkedQueue<>();
        /** Each request read, as "target on connection". */
        final List<String> read = new CopyOnWriteArrayList<>();
        /** Lets a connection scripted {@link Act#CLOSE_WHEN_LET} close. */
        final CountDownLatch let = new CountDownLatch(1);
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();

        ScriptedUpstream() throws IOException {
            Thread acceptor = new Thread(this::accept, "scripted-upstream-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = server.accept();
                    sockets.add(s);
                    int n = connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s, n), "scripted-upstream-" + n);
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException closed) {
                // the server socket is closed: the test has ended
            }
        }

        private void serve(Socket s, int n) {
            try (s) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                String line;
                while ((line = in.readLine()) != null) {
                    String target = line.split(" ")[1];
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        // the header section; a GET has no body
                    }
                    read.add(target + " on " + n);
                    Act act = script.poll();
                    if (act == Act.RESET) {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    if (act == Act.CLOSE) {
                        return;
                    }
                    if (act == Act.CLOSE_WHEN_LET) {
                        let.await();
                        return;
                    }
                    if (act == Act.HOLD) {
                        while (in.read() >= 0) {
                            // until the client closes the connection
                        }
                        return;
                    }
                    byte[] body = (target + " on " + n).getBytes(StandardCharsets.ISO_8859_1);
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            let.countDown();
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
