package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.rproxy.core.testing.Eventually;

/**
 * A hostile HTTP/2 client's abuse of streams and of header compression, over a real socket
 * against a real front end: stream ids reused, decreasing or even; more streams than
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS}; a stream opened after the server's GOAWAY; an HPACK
 * block that decodes to thousands of times its size; dynamic-table sizes the server never allowed
 * or far larger than it should use; and many streams for large answers behind a window that never
 * opens. Each ends as RFC 9113 and RFC 7541 say, with the node's memory bounded and other
 * clients served. Each test names the product change that makes it fail.
 */
class Http2StreamAbuseTest {

    private static final long WAIT_MILLIS = RawHttp2Client.WAIT.toMillis();

    private HostileHttp2Target target;

    @AfterEach
    void stop() throws Exception {
        if (target != null) {
            target.stop();
        }
    }

    private RawHttp2Client start(FrontEndConfig config, long... settings) throws Exception {
        target = new HostileHttp2Target(config);
        return target.raw(settings);
    }

    private RawHttp2Client start() throws Exception {
        return start(FrontEndConfig.defaults("127.0.0.1", 0));
    }

    private static String status(RawHttp2Client c, int stream) throws Exception {
        return c.status(stream).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * A stream id lower than one already used (RFC 9113 §5.1.1): Netty cannot tell it from a frame
     * for a stream it has closed and forgotten, and chooses the lesser error: the stream is reset
     * with STREAM_CLOSED, never served, and the connection goes on (each such reset counts against
     * the 200 resets in 30 s a connection may cause, {@link Http2FloodTest}). Fails if such a
     * stream were served.
     */
    @Test
    void aDecreasingStreamIdIsResetAndNeverServed() throws Exception {
        RawHttp2Client c = start();
        c.get(5, "/doc", true);
        assertEquals("200", status(c, 5));
        c.get(3, "/doc", true);
        assertEquals(RawHttp2Client.STREAM_CLOSED, c.reset(3).get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertTrue(c.sync());
        assertFalse(c.status(3).isDone(), "the late stream is not served");
        c.get(7, "/doc", true);
        assertEquals("200", status(c, 7), "the connection goes on");
    }

    /** A stream id used again after its stream closed: reset with STREAM_CLOSED, as above, and not served twice. */
    @Test
    void aReusedStreamIdIsResetAndNotServedTwice() throws Exception {
        RawHttp2Client c = start();
        c.get(1, "/doc", true);
        assertEquals("200", status(c, 1));
        assertTrue(c.sync()); // its DATA came before the acknowledgement
        long answered = c.dataBytes.get();
        c.get(1, "/doc", true);
        assertEquals(RawHttp2Client.STREAM_CLOSED, c.reset(1).get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertTrue(c.sync());
        assertEquals(answered, c.dataBytes.get(), "no second answer on the closed stream");
    }

    /** A client may open only odd stream ids (RFC 9113 §5.1.1). */
    @Test
    void anEvenStreamIdFromTheClientIsAProtocolError() throws Exception {
        RawHttp2Client c = start();
        c.get(2, "/doc", true);
        assertEquals(RawHttp2Client.PROTOCOL_ERROR, c.goAwayCode());
        c.awaitClosed();
        target.anotherClientIsServed();
    }

    /**
     * A stream beyond {@code SETTINGS_MAX_CONCURRENT_STREAMS} is refused with REFUSED_STREAM
     * (RFC 9113 §5.1.2), and the connection goes on: once the client gives one up, its next
     * stream is served. Fails if the codec's settings stop advertising {@code maxStreams} (the
     * fifth stream would hang with the others).
     */
    @Test
    void aStreamPastTheConcurrentLimitIsRefusedAndTheConnectionGoesOn() throws Exception {
        RawHttp2Client c = start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxStreams(4));
        for (int stream = 1; stream <= 7; stream += 2) {
            c.get(stream, "/hang", true);
        }
        c.get(9, "/doc", true);
        assertEquals(RawHttp2Client.REFUSED_STREAM, c.reset(9).get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        c.rstStream(1, 0x8); // CANCEL: one place is free again
        c.get(11, "/doc", true);
        assertEquals("200", status(c, 11));
        assertFalse(c.goAway.isDone(), "the connection goes on");
    }

    /**
     * A stream opened after the server's last GOAWAY (it is draining) is past that GOAWAY's last
     * stream id and ignored (RFC 9113 §6.8), while the stream in progress is answered. (A stream
     * opened between the stop's two GOAWAYs is answered: {@link Http2GracefulStopTest}.)
     */
    @Test
    void aStreamOpenedAfterTheServersGoAwayIsIgnoredWhileTheOneInProgressIsAnswered() throws Exception {
        RawHttp2Client c = start().answeringPings();
        c.get(1, "/hang", true);
        assertTrue(c.sync());
        assertEquals(1, target.hangingCount());
        CompletableFuture<Void> closing = CompletableFuture.runAsync(target.server()::close);
        Eventually.await("the stop's second GOAWAY", Duration.ofMillis(WAIT_MILLIS), () -> c.goAways.size() == 2);
        long[] goAway = c.goAways.get(1);
        assertEquals(1, goAway[0], "last stream id");
        assertEquals(RawHttp2Client.NO_ERROR, goAway[1]);
        c.get(3, "/doc", true);
        assertTrue(c.sync(), "the connection still reads while it drains");
        target.answerHanging();
        assertEquals("200", status(c, 1));
        c.awaitClosed();
        closing.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertFalse(c.status(3).isDone(), "stream 3 was never served");
        assertEquals(1, target.hangingCount());
    }

    /**
     * An HPACK bomb: one 4,000-byte field put in the dynamic table, then referred to 12,000 times
     * at one byte each: a 16 KiB block that decodes to 48 MB. The decoder counts the list as it
     * goes and stops keeping fields past {@code maxHeaderBytes}; the stream is refused (431, as
     * HTTP/1.1 answers a large head) and the connection, its HPACK state intact, goes on. Fails
     * if the codec's {@code maxHeaderListSize} is raised far above {@code maxHeaderBytes} (the
     * 48 MB would be decoded and kept).
     */
    @Test
    void anHpackBombIsRefusedAndTheConnectionGoesOn() throws Exception {
        RawHttp2Client c = start();
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(RawHttp2Client.requestHead("GET", "/doc"));
        RawHttp2Client.indexedLiteral(block, "x-bomb", "b".repeat(4000));
        for (int i = 0; i < 12_000; i++) {
            block.write(0x80 | 62); // the newest dynamic-table entry
        }
        c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 1, block.toByteArray());
        c.flush();
        assertEquals("431", status(c, 1), "refused as a large head is");
        c.get(3, "/doc", true);
        assertEquals("200", status(c, 3), "the connection goes on");
    }

    /**
     * A dynamic-table size update larger than the server's SETTINGS_HEADER_TABLE_SIZE (4096) is a
     * COMPRESSION_ERROR of the connection (RFC 7541 §4.2, §6.3): the decoder never grows past
     * what the server allowed.
     */
    @Test
    void aTableSizeUpdatePastTheServersSettingIsACompressionError() throws Exception {
        RawHttp2Client c = start();
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        RawHttp2Client.integer(block, 0x20, 5, 1 << 20);
        block.writeBytes(RawHttp2Client.requestHead("GET", "/doc"));
        c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 1, block.toByteArray());
        c.flush();
        assertEquals(RawHttp2Client.COMPRESSION_ERROR, c.goAwayCode());
        c.awaitClosed();
        target.anotherClientIsServed();
    }

    /**
     * A client that allows the server a dynamic table of 4 GiB (SETTINGS_HEADER_TABLE_SIZE): an
     * encoder that took it would keep every distinct response field it sent for the life of the
     * connection (a new {@code date}, every signature of every document), never evicting one.
     * Netty's keeps to 64 bytes per slot of its hash array (4096 bytes with the codec's default
     * array; RFC 7541 §4.2 lets an encoder use less than allowed), announces no larger table, and
     * its answers stay readable. Fails if the codec were built with a larger dynamic-table array
     * (Netty's {@code DefaultHttp2HeadersEncoder} size hint) or Netty dropped that cap.
     */
    @Test
    void theServersHeaderTableStaysSmallWhateverTheClientAllows() throws Exception {
        RawHttp2Client c = start(FrontEndConfig.defaults("127.0.0.1", 0),
                RawHttp2Client.SETTINGS_HEADER_TABLE_SIZE, 0xffff_ffffL);
        for (int stream = 1; stream <= 9; stream += 2) {
            c.get(stream, "/doc", true);
            assertEquals("200", status(c, stream));
        }
        assertTrue(c.tableSize <= 4096, "the server's table: " + c.tableSize + " bytes");
    }

    /**
     * Many streams each asking for a large answer, behind a window that never opens
     * (SETTINGS_INITIAL_WINDOW_SIZE 0, no WINDOW_UPDATE): at most {@link AnswerTurns#MAX_ANSWERING}
     * streams are answered at once, the others wait their turn unstarted; each answered stream is
     * reset after the write-stall timeout when none of it can go out, which gives the waiting ones
     * their turn, and the connection, left with no stream, is closed after the idle timeout. So one
     * connection holds at most 32 answers, each for one timeout. Fails if {@link AnswerTurns} is
     * taken out (all 40 answers would be made at once).
     */
    @Test
    void largeAnswersBehindAShutWindowAreBoundedAndReleasedAfterTheStallTimeout() throws Exception {
        RawHttp2Client c = start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(Duration.ofMillis(1000)),
                RawHttp2Client.SETTINGS_INITIAL_WINDOW_SIZE, 0);
        int answering = AnswerTurns.MAX_ANSWERING;
        int streams = answering + 8;
        for (int i = 0; i < streams; i++) {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 2 * i + 1,
                    RawHttp2Client.requestHead("GET", "/large"));
        }
        c.flush();
        for (int i = 0; i < answering; i++) {
            assertEquals("200", status(c, 2 * i + 1), "stream " + (2 * i + 1));
        }
        // a waiting stream is answered only after a place was given back: its HEADERS follow an RST_STREAM
        long waitingAnswered = IntStream.range(answering, streams).filter(i -> c.status(2 * i + 1).isDone()).count();
        long given = IntStream.range(0, answering).filter(i -> c.reset(2 * i + 1).isDone()).count();
        assertTrue(waitingAnswered <= given, waitingAnswered + " waiting streams answered, " + given + " places given back");
        for (int i = 0; i < answering; i++) {
            c.reset(2 * i + 1).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        for (int i = answering; i < streams; i++) {
            assertEquals("200", status(c, 2 * i + 1), "stream " + (2 * i + 1) + " once its turn came");
            c.reset(2 * i + 1).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        assertEquals(0, c.dataBytes.get(), "not a byte past the shut window");
        c.awaitClosed();
        target.anotherClientIsServed();
    }
}
