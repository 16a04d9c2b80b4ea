package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;

/**
 * Stopping the front end drains it: no new connections, idle ones closed at once, and an answer
 * the service is still working on is delivered (saying {@code Connection: close}) before the
 * connection goes. Real sockets.
 */
class GracefulCloseTest {

    private static final int READ_TIMEOUT_MS = 10_000;
    /** A drain for the stops that must wait it out, far shorter than the default 5 s. */
    private static final Duration SHORT_DRAIN = Duration.ofMillis(300);

    private final ExecutorService closer = Executors.newSingleThreadExecutor();
    private AltoHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        closer.shutdownNow();
    }

    private Socket connect(InetSocketAddress at) throws IOException {
        Socket s = new Socket();
        s.connect(at, READ_TIMEOUT_MS);
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    private static void ask(Socket s) throws IOException {
        s.getOutputStream().write("GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    @Test
    void anAnswerInProgressIsDeliveredAndTheConnectionThenClosed() throws Exception {
        CompletableFuture<Reply> slow = new CompletableFuture<>();
        CountDownLatch asked = new CountDownLatch(1);
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), request -> {
            asked.countDown();
            return slow;
        });
        InetSocketAddress at = server.localAddress();
        try (Socket busy = connect(at)) {
            ask(busy);
            assertTrue(asked.await(10, TimeUnit.SECONDS), "the service has the request");
            Future<?> closing = closer.submit(server::close);
            assertFalse(closing.isDone());
            // the listener goes first: nobody new gets in while the server drains
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < until && accepts(at)) {
                Thread.onSpinWait();
            }
            assertThrows(ConnectException.class, () -> connect(at).close());
            slow.complete(Reply.ok(Fixtures.identityOnly()));
            String answer = readAll(busy.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.endsWith(Fixtures.JSON), "the whole body, then the end of the stream: " + answer);
            closing.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The log of a stop names the listener that stopped and, when the drain ran out with an answer
     * still owed, how many connections it cut. The drain configured short (the default is 5 s):
     * the stop waits that long and names it.
     */
    @Test
    void aStopLogsTheListenerAndHowManyConnectionsTheDrainCut() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withDrainTimeout(SHORT_DRAIN), request -> {
            asked.countDown();
            return new CompletableFuture<>(); // never answered
        });
        InetSocketAddress at = server.localAddress();
        Logger logger = (Logger) LoggerFactory.getLogger(AltoHttpServer.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        try (CapturedLogs logs = CapturedLogs.of(AltoHttpServer.class); Socket busy = connect(at)) {
            ask(busy);
            assertTrue(asked.await(10, TimeUnit.SECONDS), "the service has the request");
            long t0 = System.nanoTime();
            server.close(); // waits out the drain
            long waited = System.nanoTime() - t0;
            List<String> lines = logs.events().stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
            assertTrue(lines.contains("WARN 1 connection still answering after the 300ms drain on " + at + ": cut"),
                    lines.toString());
            assertTrue(waited >= SHORT_DRAIN.toNanos(), "the stop waited out the drain: " + waited + " ns");
            assertTrue(waited < FrontEndConfig.DEFAULT_DRAIN_TIMEOUT.toNanos(),
                    "the drain configured, not the default: " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms");
            assertEquals(-1, busy.getInputStream().read(), "the connection was cut, with no answer");
            assertEquals("INFO stopped listening on " + at, lines.get(lines.size() - 1), lines.toString());
        } finally {
            logger.setLevel(level);
        }
    }

    @Test
    void theAnswerOwedWhenTheDrainBeginsSaysConnectionCloseAndTheConnectionThenCloses() {
        CompletableFuture<Reply> slow = new CompletableFuture<>();
        EmbeddedFrontEnd wire = new EmbeddedFrontEnd(request -> slow);
        EmbeddedChannel channel = wire.channel();
        wire.send(Fixtures.get("/networkmap"));
        channel.pipeline().fireUserEventTriggered(Drain.DRAIN);
        channel.runPendingTasks();
        assertTrue(channel.isOpen(), "an answer is owed");
        slow.complete(Reply.ok(Fixtures.identityOnly()));
        channel.runPendingTasks();
        EmbeddedFrontEnd.Answer a = wire.answer();
        assertEquals(200, a.status());
        assertEquals("close", a.header("connection"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
        wire.closeClient();
    }

    @Test
    void aRequestWhoseBodyIsStillArrivingWhenTheDrainBeginsIsAnsweredAndTheConnectionThenCloses() {
        CompletableFuture<String> received = new CompletableFuture<>();
        EmbeddedFrontEnd wire = new EmbeddedFrontEnd(request -> {
            received.complete(request.body().asUtf8());
            return CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly()));
        });
        EmbeddedChannel channel = wire.channel();
        wire.sendRaw("POST /networkmap HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":");
        channel.pipeline().fireUserEventTriggered(Drain.DRAIN);
        channel.runPendingTasks();
        assertTrue(channel.isOpen(), "a request is arriving");
        wire.sendMore("\"bcd\"}");
        channel.runPendingTasks();
        assertEquals("{\"a\":\"bcd\"}", received.getNow(null), "the whole body reached the service");
        EmbeddedFrontEnd.Answer a = wire.answer();
        assertEquals(200, a.status());
        assertEquals("close", a.header("connection"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
        wire.closeClient();
    }

    @Test
    void aDrainedIdleConnectionClosesWithoutAnAnswer() {
        EmbeddedFrontEnd wire = new EmbeddedFrontEnd(request -> new CompletableFuture<>());
        EmbeddedChannel channel = wire.channel();
        channel.pipeline().fireUserEventTriggered(Drain.DRAIN);
        channel.runPendingTasks();
        assertFalse(channel.isOpen());
        assertTrue(wire.answers().isEmpty());
        assertFalse(channel.finishAndReleaseAll());
        wire.closeClient();
    }

    @Test
    void idleConnectionsAreClosedAtOnce() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0),
                request -> CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly())));
        try (Socket idle = connect(server.localAddress())) {
            ask(idle);
            InputStream in = idle.getInputStream();
            String first = SocketReads.readHead(in);
            assertTrue(first.startsWith("HTTP/1.1 200"), first);
            long t0 = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis < 4_000, "close did not wait out the grace period for an idle connection: " + millis + " ms");
            in.skip(Fixtures.JSON.length());
            assertEquals(-1, in.read(), "closed by the server");
        }
    }

    /**
     * HTTP/2: a stream whose request is still arriving when the stop begins (a head without
     * END_STREAM, its body never sent) has nothing to drain, and is reset with REFUSED_STREAM,
     * which its client may retry elsewhere (RFC 9113 §8.7); the answer in flight on another
     * stream of the connection is delivered whole, and the stop then ends without waiting out
     * its drain (no connection cut). Failed before: the unfinished stream held the connection
     * open until the codec's 5 s grace ran out, with no reset, and the stop cut it.
     */
    @Test
    void anHttp2StreamWhoseRequestIsStillArrivingIsRefusedAtTheStopAndTheAnswerInFlightDelivered() throws Exception {
        HostileHttp2Target target = new HostileHttp2Target();
        Logger logger = (Logger) LoggerFactory.getLogger(AltoHttpServer.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        try (CapturedLogs logs = CapturedLogs.of(AltoHttpServer.class);
             RawHttp2Client c = target.raw()) {
            c.get(1, "/hang", true);
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 3, RawHttp2Client.requestHead("POST", "/query",
                    "content-type", "application/json"));
            assertTrue(c.sync());
            Eventually.await("the service has the answer in flight", Duration.ofSeconds(10), () -> target.hangingCount() == 1);
            Future<?> closing = closer.submit(target.server()::close);
            assertEquals(RawHttp2Client.REFUSED_STREAM, c.reset(3).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "the request still arriving is refused");
            assertFalse(c.status(1).isDone(), "the answer is still owed");
            target.answerHanging();
            assertEquals("200", c.status(1).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS));
            c.awaitClosed();
            assertEquals(Fixtures.JSON.length(), c.dataBytes.get(), "the whole answer, then the end of the connection");
            assertEquals(RawHttp2Client.NO_ERROR, c.goAwayCode());
            closing.get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            List<String> lines = logs.events().stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
            assertTrue(lines.stream().noneMatch(l -> l.contains("cut")), "the stop ended when the answer was sent: " + lines);
        } finally {
            logger.setLevel(level);
            target.stop();
        }
    }

    private static boolean accepts(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
