package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The known HTTP/2 floods, each from one hostile connection over a real socket against a real
 * front end (cleartext, prior knowledge): rapid reset (CVE-2023-44487) and its server-side twin
 * (frames that make the server reset streams), CONTINUATION floods (CVE-2024-27316 family), control
 * frames whose acknowledgements the peer never reads, empty DATA frames, PRIORITY frames, and
 * WINDOW_UPDATEs of 0 or past the largest window. Each ends as RFC 9113 and the known fixes say
 * (a GOAWAY with the code that names the abuse, a reset stream, or nothing at all for what is
 * legal and cheap), and a second client is served meanwhile. The limits are Netty's, set
 * explicitly by the codec's builder in {@link AltoChannelInitializer}; each test names the product
 * change that makes it fail.
 */
class Http2FloodTest {

    private HostileHttp2Target target;

    @AfterEach
    void stop() throws Exception {
        if (target != null) {
            target.stop();
        }
    }

    private void start() {
        target = new HostileHttp2Target();
    }

    /**
     * With a small send buffer for each connection ({@code sendBufferBytes}), so that a peer that
     * reads nothing pushes back after a few thousand acknowledgements, not after the hundreds of
     * thousands the kernel's autotuned buffers take: the limit is the same, reached sooner.
     */
    private void startWithSmallSendBuffers() {
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withSendBufferBytes(16 * 1024));
    }

    private RawHttp2Client raw() throws IOException {
        return target.raw();
    }

    private void anotherClientIsServed() throws Exception {
        target.anotherClientIsServed();
    }

    /**
     * Rapid reset: a thousand requests each cancelled at once. Netty counts the RST_STREAMs a
     * client sends ({@link AltoChannelInitializer#HTTP2_MAX_RESETS} in 30 s,
     * {@code decoderEnforceMaxRstFramesPerWindow}); past them the connection ends with
     * ENHANCE_YOUR_CALM. Fails if the builder sets that limit to 0 (off): the thousand are all
     * taken and the connection stays (seen).
     */
    @Test
    void rapidResetEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        start();
        RawHttp2Client c = raw();
        int sent = 0;
        boolean served = true;
        for (int round = 0; round < 100 && served; round++) {
            for (int i = 0; i < 10; i++, sent++) {
                int stream = 2 * sent + 1;
                c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, stream,
                        RawHttp2Client.requestHead("GET", "/doc"));
                c.rstStream(stream, 0x8); // CANCEL
            }
            served = c.sync();
        }
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, c.goAwayCode(), "after " + sent + " resets");
        c.awaitClosed();
        anotherClientIsServed();
    }

    /**
     * The server-side twin ("MadeYouReset", CVE-2025-8671): frames that are stream errors, each
     * answered with the server's own RST_STREAM (here a WINDOW_UPDATE of 0 on an open stream,
     * RFC 9113 §6.9). Netty counts the resets it sends too ({@code encoderEnforceMaxRstFramesPerWindow},
     * 200 in 30 s). Fails if that limit is turned off (0; seen), and failed before {@link
     * ExchangeHandler} left the reset to the multiplexer: the stream was reset with CANCEL, not
     * PROTOCOL_ERROR.
     */
    @Test
    void framesThatMakeTheServerResetStreamsEndTheConnectionToo() throws Exception {
        start();
        RawHttp2Client c = raw();
        int sent = 0;
        boolean served = true;
        for (int round = 0; round < 100 && served; round++) {
            for (int i = 0; i < 10; i++, sent++) {
                int stream = 2 * sent + 1;
                c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream, RawHttp2Client.requestHead("GET", "/hang"));
                c.windowUpdate(stream, 0);
            }
            served = c.sync();
        }
        assertEquals(RawHttp2Client.PROTOCOL_ERROR, c.reset(1).get(RawHttp2Client.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "a WINDOW_UPDATE of 0 on a stream is a stream error");
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, c.goAwayCode());
        c.awaitClosed();
        anotherClientIsServed();
    }

    /**
     * A header block that never ends, in CONTINUATION frames that are empty: Netty allows 16 small
     * ones in a row ({@link AltoChannelInitializer#HTTP2_MAX_SMALL_CONTINUATIONS}), then ends the
     * connection. Fails if that limit is raised past the hundred sent here: the server waits for
     * more, for ever (0 is not "off" in Netty but "none at all").
     */
    @Test
    void emptyContinuationFramesEndTheConnection() throws Exception {
        start();
        RawHttp2Client c = raw();
        c.frame(RawHttp2Client.HEADERS, 0, 1, RawHttp2Client.requestHead("GET", "/doc"));
        // a hundred, written at once: the server reads them in one go and leaves nothing unread
        // in its socket, so its close comes after the GOAWAY (a reset might discard that)
        for (int i = 0; i < 100; i++) {
            c.frame(RawHttp2Client.CONTINUATION, 0, 1, new byte[0]);
        }
        c.flush();
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, c.goAwayCode(), c.goAwayText);
        c.awaitClosed();
        anotherClientIsServed();
    }

    /**
     * A header block that never ends, in full CONTINUATION frames of one endless header value
     * (1 GiB announced): the codec buffers a block only up to the header-list limit
     * ({@code maxHeaderBytes}, with Netty's quarter of slack), then ends the connection, so what
     * one connection holds is bounded by that. Fails if the codec's {@code maxHeaderListSize} is
     * set far above {@code maxHeaderBytes} (say 16 MiB): the 32 KiB sent here are buffered and
     * the connection waits for more.
     */
    @Test
    void anEndlessHeaderBlockEndsTheConnectionAtTheHeaderLimit() throws Exception {
        start();
        RawHttp2Client c = raw();
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.writeBytes(RawHttp2Client.requestHead("GET", "/doc"));
        first.write(0x00);
        RawHttp2Client.string(first, "x-endless");
        RawHttp2Client.integer(first, 0x00, 7, 1L << 30); // a value of 1 GiB, announced
        c.frame(RawHttp2Client.HEADERS, 0, 1, first.toByteArray());
        byte[] piece = new byte[16 * 1024];
        java.util.Arrays.fill(piece, (byte) 'a');
        // twice the limit, and no more: nothing is left unread in the server's socket when it closes
        c.frame(RawHttp2Client.CONTINUATION, 0, 1, piece);
        c.frame(RawHttp2Client.CONTINUATION, 0, 1, piece);
        c.flush();
        long code = c.goAwayCode();
        assertTrue(code == RawHttp2Client.PROTOCOL_ERROR || code == RawHttp2Client.ENHANCE_YOUR_CALM,
                "the connection ends with an error, not a grace: " + code);
        c.awaitClosed();
        anotherClientIsServed();
    }

    /**
     * A peer that sends PINGs (or SETTINGS) and never reads their acknowledgements: once the
     * socket pushes back, each acknowledgement waits in the server's memory. Netty ends the
     * connection once 10,000 wait ({@link AltoChannelInitializer#HTTP2_MAX_QUEUED_CONTROL_FRAMES});
     * the writer then finds its connection gone. Fails if that limit is turned off (0): the server
     * queues an acknowledgement for every one of the two million frames and the connection stays.
     */
    @Test
    void pingsWhoseAcknowledgementsAreNeverReadEndTheConnection() throws Exception {
        startWithSmallSendBuffers();
        floodUnread(false);
        anotherClientIsServed();
    }

    /** As {@link #pingsWhoseAcknowledgementsAreNeverReadEndTheConnection}, with SETTINGS frames. */
    @Test
    void settingsWhoseAcknowledgementsAreNeverReadEndTheConnection() throws Exception {
        startWithSmallSendBuffers();
        floodUnread(true);
        anotherClientIsServed();
    }

    private void floodUnread(boolean settings) throws Exception {
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), null, 4096));
        long sent = 0;
        boolean ended = false;
        try {
            for (int batch = 0; batch < 2_000; batch++) {
                for (int i = 0; i < 1_000; i++) {
                    if (settings) {
                        c.frame(RawHttp2Client.SETTINGS, 0, 0, new byte[0]);
                    } else {
                        c.ping(sent);
                    }
                    sent++;
                }
                c.flush();
            }
        } catch (IOException closed) {
            ended = true;
        }
        assertTrue(ended, "the server still reads after " + sent + " unacknowledged control frames");
    }

    /**
     * Empty DATA frames cost the server a frame each and carry nothing (CVE-2019-9518): Netty
     * allows 2 in a row ({@link AltoChannelInitializer#HTTP2_MAX_EMPTY_DATA_FRAMES}), then ends
     * the connection. Fails if that limit is turned off (0; seen).
     */
    @Test
    void emptyDataFramesEndTheConnection() throws Exception {
        start();
        RawHttp2Client c = raw();
        c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 1, RawHttp2Client.requestHead("POST", "/query",
                "content-type", "application/json"));
        for (int i = 0; i < 100; i++) { // at once, as above
            c.frame(RawHttp2Client.DATA, 0, 1, new byte[0]);
        }
        c.flush();
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, c.goAwayCode());
        c.awaitClosed();
        anotherClientIsServed();
    }

    /**
     * PRIORITY frames are legal on any stream, idle ones included, and RFC 9113 deprecates what
     * they say: the server keeps no tree of them beyond a few entries (Netty's byte distributor
     * keeps 5 for streams it does not know), so twenty thousand of them, each on a stream id
     * never used, cost a frame's decoding each and leave the connection served. Fails if the
     * front end ever counted PRIORITY frames against a client (it would end this connection).
     */
    @Test
    void priorityFramesOnIdleStreamsAreReadAndForgotten() throws Exception {
        start();
        RawHttp2Client c = raw();
        int stream = 1;
        for (int i = 0; i < 20_000; i++) {
            // exclusive dependency on the stream before it, weight 256
            c.frame(RawHttp2Client.PRIORITY, 0, stream, new byte[] {(byte) 0x80, 0, 0, (byte) Math.max(0, stream - 2), (byte) 255});
            stream += 2;
            if (i % 1000 == 999) {
                c.flush();
            }
        }
        c.get(stream, "/doc", true);
        assertEquals("200", c.status(stream).get(RawHttp2Client.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(!c.goAway.isDone() && !c.closed.isDone(), "the connection stays");
    }

    /** A WINDOW_UPDATE of 0 for the connection is a connection error (RFC 9113 §6.9). */
    @Test
    void aConnectionWindowUpdateOfZeroIsAProtocolError() throws Exception {
        start();
        RawHttp2Client c = raw();
        c.windowUpdate(0, 0);
        c.flush();
        assertEquals(RawHttp2Client.PROTOCOL_ERROR, c.goAwayCode());
        c.awaitClosed();
        anotherClientIsServed();
    }

    /**
     * A WINDOW_UPDATE that takes the connection's window past 2^31-1 is a FLOW_CONTROL_ERROR of
     * the connection; one that takes a stream's past it resets that stream only (RFC 9113 §6.9.1),
     * and the connection goes on. Failed before {@link ExchangeHandler} left the stream's reset to
     * the multiplexer (CANCEL instead of FLOW_CONTROL_ERROR).
     */
    @Test
    void windowUpdatesPastTheLargestWindowAreFlowControlErrors() throws Exception {
        start();
        RawHttp2Client c = raw();
        c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 1, RawHttp2Client.requestHead("GET", "/hang"));
        c.windowUpdate(1, Integer.MAX_VALUE);
        c.get(3, "/doc", true);
        assertEquals(RawHttp2Client.FLOW_CONTROL_ERROR, c.reset(1).get(RawHttp2Client.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("200", c.status(3).get(RawHttp2Client.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "the connection goes on");
        c.windowUpdate(0, Integer.MAX_VALUE);
        c.flush();
        assertEquals(RawHttp2Client.FLOW_CONTROL_ERROR, c.goAwayCode());
        c.awaitClosed();
        anotherClientIsServed();
    }
}
