package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node-wide bound on HTTP/2 streams whose request is unfinished
 * ({@link FrontEndConfig#maxUnfinishedStreams}), over real sockets with a bound of 4: a head
 * without {@code END_STREAM} takes a place, one past the bound is refused with {@code
 * REFUSED_STREAM} on whichever connection it comes, a complete GET takes none and is served, and
 * a request completed gives its place back, so event streams (answered, open at length) go on
 * past the bound.
 */
class Http2UnfinishedStreamsTest {

    private static final int LIMIT = 4;
    private static final long WAIT_MILLIS = RawHttp2Client.WAIT.toMillis();
    private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.US_ASCII);

    private final List<StreamSink> sinks = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();
    private AltoHttpServer server;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxUnfinishedStreams(LIMIT), request ->
                CompletableFuture.completedFuture(request.path().equals("/stream")
                        ? new Reply.Stream(Duration.ofSeconds(30), sinks::add)
                        : Reply.ok(Fixtures.withGzip())));
        return new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
    }

    private RawHttp2Client client(InetSocketAddress address) throws IOException {
        RawHttp2Client c = new RawHttp2Client(address);
        clients.add(c);
        return c.startReading();
    }

    /** The head of a POST to the event stream, its body still to come. */
    private static void head(RawHttp2Client c, int stream) throws IOException {
        c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream, RawHttp2Client.requestHead("POST", "/stream",
                "content-type", "application/json"));
        c.flush();
    }

    private static void finish(RawHttp2Client c, int stream) throws IOException {
        c.frame(RawHttp2Client.DATA, RawHttp2Client.END_STREAM, stream, EMPTY_JSON);
        c.flush();
    }

    private static long reset(RawHttp2Client c, int stream) throws Exception {
        return c.reset(stream).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The stream's final status; a timeout says whether the stream was reset (REFUSED_STREAM: no place) and the places taken. */
    private String status(RawHttp2Client c, int stream) throws Exception {
        try {
            return c.awaitStatus(stream);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; places taken: " + server.unfinishedStreams() + " of " + LIMIT, e);
        }
    }

    /**
     * Each refusal is counted for the node's metrics ({@link AltoHttpServer#unfinishedStreamsRefused}).
     * Fails without the bound: the fifth unfinished request (and the other connection's) would be
     * taken, not refused.
     */
    @Test
    void unfinishedRequestsPastTheBoundAreRefusedOnEveryConnection() throws Exception {
        InetSocketAddress address = start();
        RawHttp2Client a = client(address);
        assertEquals(0, server.unfinishedStreams());
        assertEquals(LIMIT, server.maxUnfinishedStreams());
        for (int s = 1; s <= 2 * LIMIT - 1; s += 2) {
            head(a, s);
        }
        assertTrue(a.sync());
        assertEquals(LIMIT, server.unfinishedStreams(), "every place taken, as the node's gauge shows");
        head(a, 2 * LIMIT + 1);
        assertEquals(RawHttp2Client.REFUSED_STREAM, reset(a, 2 * LIMIT + 1), "one past the bound");

        RawHttp2Client b = client(address);
        head(b, 1);
        assertEquals(RawHttp2Client.REFUSED_STREAM, reset(b, 1), "the bound is the node's, not the connection's");
        b.get(3, "/doc", true);
        assertEquals("200", status(b, 3), "a request complete in its HEADERS takes no place: another client is served");
        assertFalse(a.goAway.isDone() || b.goAway.isDone(), "both connections go on");
        assertEquals(2, server.unfinishedStreamsRefused(), "each refusal counted, the served GET not");
    }

    /**
     * Requests completed give their places back however long their answers last: event streams
     * past the bound, and the places taken again. Fails if an answered stream kept its place, or
     * a finished request's place were never given back (a leak of places).
     */
    @Test
    void eventStreamsGoOnPastTheBoundOnceTheirRequestsAreComplete() throws Exception {
        InetSocketAddress address = start();
        RawHttp2Client a = client(address);
        int stream = 1;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < LIMIT; i++, stream += 2) {
                head(a, stream);
                finish(a, stream);
                assertEquals("200", status(a, stream), "event stream " + stream);
            }
        }
        assertEquals(3 * LIMIT, sinks.size());
        assertTrue(sinks.stream().allMatch(StreamSink::isOpen), "the event streams stay open");
        java.net.InetSocketAddress peer = (java.net.InetSocketAddress) sinks.get(0).remoteAddress();
        assertEquals("127.0.0.1", peer.getAddress().getHostAddress(), "an HTTP/2 stream's peer is its connection's");
        assertTrue(peer.getPort() > 0 && peer.getPort() != address.getPort(), "the client's port: " + peer);

        RawHttp2Client b = client(address);
        for (int s = 1; s <= 2 * LIMIT - 1; s += 2) {
            head(b, s);
        }
        assertTrue(b.sync());
        for (int s = 1; s <= 2 * LIMIT - 1; s += 2) {
            assertFalse(b.reset(s).isDone(), "stream " + s + " has its place");
        }
        head(b, 2 * LIMIT + 1);
        assertEquals(RawHttp2Client.REFUSED_STREAM, reset(b, 2 * LIMIT + 1));

        assertEquals(LIMIT, server.unfinishedStreams(), "event streams answered hold no place, the unfinished ones do");

        // A stream reset by its client gives its place back at once: the reset and a new head in
        // one write, which the server reads in one go (as a loaded server reads what came
        // meanwhile), and the new stream has the place. Given back when the reset stream's
        // channel closed, a task run after that read, the new head was refused.
        b.rstStream(1, RawHttp2Client.NO_ERROR);
        b.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 2 * LIMIT + 3, RawHttp2Client.requestHead("POST", "/stream",
                "content-type", "application/json"));
        b.flush();
        finish(b, 2 * LIMIT + 3);
        assertEquals("200", status(b, 2 * LIMIT + 3));
        for (int s = 3; s <= 2 * LIMIT - 1; s += 2) {
            finish(b, s);
            assertEquals("200", status(b, s));
        }
        assertEquals(0, server.unfinishedStreams(), "every request complete: no place taken");
    }
}
