package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.rproxy.core.testing.CapturedLogs;

/**
 * An HTTP/2 connection error met while the client is still sending: the server's GOAWAY, with the
 * error's code, reaches the client, which learns why its connection ended. Closing a socket with
 * unread input makes the kernel send a reset, and the reset discards whatever the server's socket
 * has not sent yet, the GOAWAY at its end included; so the server half-closes behind its GOAWAY
 * and reads and drops what still comes before it closes ({@link Http2ErrorClose}). The client
 * here, unlike the flood tests', never waits for the server ({@link RawHttp2Client#sync}): as a
 * blocking client does, it writes all it has (a request for a large answer, its error, and a
 * megabyte of frames after it) before it reads, with a small receive buffer, so that the GOAWAY
 * waits in the server's socket behind the answer's DATA when the connection ends.
 */
class Http2ErrorCloseTest {

    /** A PRIORITY frame on an idle stream: read and forgotten, answered with nothing. */
    private static final byte[] PRIORITY = {0, 0, 0, 0, 15};
    private static final int PRIORITY_BYTES = 9 + PRIORITY.length;
    private static final int ROUND = 2_000;
    /**
     * What the client may still send after its error, well within what the server drops
     * ({@link LingeringClose#MAX_BYTES}): past that, it meets the reset it asked for.
     */
    private static final long AFTER_ERROR_BYTES = LingeringClose.MAX_BYTES / 4;
    /** Streams the server is made to reset: past its limit in a window, with room to spare. */
    private static final int RESET_STREAMS = AltoChannelInitializer.HTTP2_MAX_RESETS + 50;
    /** PINGs whose acknowledgements (85 KB) fill what a small send buffer and the client's receive buffer take. */
    private static final int PINGS = 5_000;

    private HostileHttp2Target target;

    @AfterEach
    void stop() throws Exception {
        if (target != null) {
            target.stop();
        }
    }

    /**
     * A request for a large answer, then a WINDOW_UPDATE of 0 on the connection, a PROTOCOL_ERROR
     * (RFC 9113 §6.9), in the middle of PRIORITY frames that go on after it. Fails (no GOAWAY, the
     * connection reset) if the server closes at once after its GOAWAY.
     */
    @RepeatedTest(10)
    void theGoAwayOfAConnectionErrorArrivesWhileTheClientStillSends() throws Exception {
        target = new HostileHttp2Target();
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), null, 4096));
        try {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 1,
                    RawHttp2Client.requestHead("GET", "/large"));
            priorities(c);
            c.windowUpdate(0, 0);
            for (long sent = 0; sent < AFTER_ERROR_BYTES; sent += ROUND * PRIORITY_BYTES) {
                priorities(c);
                c.flush();
            }
        } catch (IOException e) {
            // the server closed while the client wrote: it learns why from what it reads next
        }
        c.startReading();
        assertEquals(RawHttp2Client.PROTOCOL_ERROR, c.goAwayCode(), "the GOAWAY's code, read before any reset");
        c.awaitClosed();
        target.anotherClientIsServed();
    }

    /**
     * The same for an error the server raises as it sends: {@link #PINGS} PINGs, whose
     * acknowledgements (with a small send buffer) wait in the server's socket and its outbound
     * queue, then more frames that make the server reset a stream (a WINDOW_UPDATE of 0 on each of
     * {@link #RESET_STREAMS} streams) than it sends resets in a window ({@link
     * AltoChannelInitializer#HTTP2_MAX_RESETS}), then PRIORITY frames. The codec's encoder ends
     * the connection with ENHANCE_YOUR_CALM, hands the error to no handler of the pipeline, and
     * closes at once, before its GOAWAY, queued behind the acknowledgements, is written. Failed
     * before {@link Http2ErrorClose} heard of the GOAWAY from the connection itself and waited for
     * it to be written (no GOAWAY, the connection reset).
     */
    @RepeatedTest(10)
    void theGoAwayAfterAFloodOfResetsTheServerSendsArrivesWhileTheClientStillSends() throws Exception {
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withSendBufferBytes(16 * 1024));
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), null, 4096));
        try {
            for (int i = 0; i < PINGS; i++) {
                c.ping(i);
            }
            for (int i = 0; i < RESET_STREAMS; i++) {
                int stream = 1 + 2 * i;
                c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream, RawHttp2Client.requestHead("GET", "/hang"));
                c.windowUpdate(stream, 0);
            }
            for (long sent = 0; sent < AFTER_ERROR_BYTES; sent += ROUND * PRIORITY_BYTES) {
                priorities(c);
                c.flush();
            }
        } catch (IOException e) {
            // the server closed while the client wrote: it learns why from what it reads next
        }
        c.startReading();
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, c.goAwayCode(), "the GOAWAY's code, read before any reset");
        c.awaitClosed();
        target.anotherClientIsServed();
    }

    /**
     * The server's stop cuts a linger: a connection ended by its error, whose client keeps sending
     * (a PRIORITY frame every 100 ms, so its linger would last its full 30 s), closes when the
     * stop comes, and the stop does not wait out its drain for it. Fails if {@link
     * Http2ErrorClose} held the stop's close for the linger's end like the codec's own: the drain
     * runs out and cuts the connection (a warning).
     */
    @Test
    void aStopCutsTheLingerOfAConnectionError() throws Exception {
        target = new HostileHttp2Target();
        RawHttp2Client c = target.raw();
        c.windowUpdate(0, 0);
        c.flush();
        assertEquals(RawHttp2Client.PROTOCOL_ERROR, c.goAwayCode());
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        Logger logger = (Logger) LoggerFactory.getLogger(AltoHttpServer.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        try (CapturedLogs logs = CapturedLogs.of(AltoHttpServer.class)) {
            sender.scheduleAtFixedRate(() -> {
                try {
                    c.frame(RawHttp2Client.PRIORITY, 0, 3, PRIORITY);
                    c.flush();
                } catch (IOException closed) {
                    // the stop has cut it
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            assertEquals(1, target.server().openConnections().size(), "lingering");
            target.server().close();
            List<String> lines = logs.events().stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
            assertTrue(lines.stream().noneMatch(l -> l.contains("cut")), "the stop did not wait for the linger: " + lines);
            assertTrue(target.server().openConnections().isEmpty());
        } finally {
            sender.shutdownNow();
            logger.setLevel(level);
        }
    }

    private static void priorities(RawHttp2Client c) throws IOException {
        for (int i = 0; i < ROUND; i++) {
            c.frame(RawHttp2Client.PRIORITY, 0, 3, PRIORITY);
        }
    }
}
