package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;

/** An event stream over a real socket: events and heartbeats arrive, and closing the server ends the stream cleanly. */
class EventStreamServerTest {

    /** The shared wait of the front end's socket tests: a loaded machine may take seconds for what takes milliseconds idle. */
    private static final Duration WAIT = Http2TestClient.WAIT;
    private static final long WAIT_MILLIS = WAIT.toMillis();

    @Test
    void closingTheServerEndsOpenStreamsAndRunsTheirCloseCallbacks() throws Exception {
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        CompletableFuture<StreamSink> sink = new CompletableFuture<>();
        AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0),
                request -> CompletableFuture.completedFuture(new Reply.Stream(Duration.ofMillis(100), s -> {
                    s.onClose(closed::countDown);
                    sink.complete(s);
                    opened.countDown();
                })));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), (int) WAIT_MILLIS);
            socket.setSoTimeout((int) WAIT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write("POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(opened.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
            sink.get().send(Bytes.utf8("event: x\ndata: 1\n\n"));
            InputStream in = socket.getInputStream();
            String seen = read(in, "data: 1");
            assertTrue(seen.contains("text/event-stream"), seen);
            assertTrue(seen.toLowerCase(java.util.Locale.ROOT).contains("\r\nx-accel-buffering: no\r\n"),
                    "nginx in between is told not to buffer the stream: " + seen);
            // read to the whole chunk: the bytes of one may come in two reads
            assertTrue(read(in, "3\r\n:\n\n\r\n").contains("3\r\n:\n\n\r\n"), "a heartbeat chunk follows 100 ms of silence");
            server.close();
            assertTrue(closed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS), "the stream's close callback ran");
            assertFalse(sink.get().isOpen());
            assertEquals(-1, drain(in), "the connection is closed");
        } finally {
            server.close();
        }
    }

    /**
     * A stream whose peer reads nothing is ended at once when aborted, its unsent bytes given
     * back: with close() alone (all there was), the last chunk waited behind them for good, so the
     * connection stayed open, holding them, and the close callback never ran.
     */
    @Test
    void abortingAStreamWhosePeerReadsNothingClosesItAndGivesBackWhatWaited() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        CompletableFuture<StreamSink> sink = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0),
                request -> CompletableFuture.completedFuture(new Reply.Stream(Duration.ofSeconds(10), s -> {
                    s.onClose(closed::countDown);
                    s.onWritten(written::addAndGet);
                    sink.complete(s);
                })));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), (int) WAIT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write("POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StreamSink s = sink.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertEquals(socket.getLocalSocketAddress(), s.remoteAddress(), "the peer, for the service's log lines");
            long size = 16L << 20; // far more than the socket buffers take while nothing is read
            assertTrue(s.send(Bytes.wrap(new byte[(int) size])));
            s.abort();
            assertTrue(closed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS), "the stream's close callback ran");
            org.rproxy.core.testing.Eventually.await("the send told written", WAIT,
                    () -> written.get() == size);
            assertEquals(0, s.pendingBytes());
        } finally {
            server.close();
        }
    }

    /** Reads until {@code marker} has been seen, and a little beyond it. */
    private static String read(InputStream in, String marker) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[1024];
        while (!sb.toString().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    private static int drain(InputStream in) throws Exception {
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            // heartbeats written before the close
        }
        return n;
    }
}
