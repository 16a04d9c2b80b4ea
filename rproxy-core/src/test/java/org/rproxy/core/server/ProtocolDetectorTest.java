package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.Test;

/**
 * The first bytes decide the protocol, however they are split: the HTTP/2 preface turns the
 * connection into an HTTP/2 one (and the server's SETTINGS go out), anything else leaves the
 * HTTP/1.1 pipeline as it was, with not a byte lost, as soon as a byte differs.
 */
class ProtocolDetectorTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();

    ProtocolDetectorTest() {
        channel.pipeline().addLast(new AltoChannelInitializer(FrontEndConfig.defaults("127.0.0.1", 0),
                Fixtures.serving(Fixtures.withGzip()), RequestObserver.noop(),
                new ResponseRenderer(EmbeddedFrontEnd.CLOCK), new ConnectionLimit(10)));
    }

    private void feed(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private String written() {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void anHttp11RequestSplitAfterItsFirstByteIsServedUnchanged() {
        feed("P");
        ChannelPipeline p = channel.pipeline();
        assertNotNull(p.get(AltoChannelInitializer.DETECT), "one byte in common with the preface: still deciding");
        feed("OST /doc HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        channel.runPendingTasks();
        assertNull(p.get(AltoChannelInitializer.DETECT));
        assertNotNull(p.get(AltoChannelInitializer.HTTP_CODEC));
        assertNull(p.get(AltoChannelInitializer.HTTP2_CODEC));
        String out = written();
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void theHttp2PrefaceInPiecesSwitchesTheConnection() {
        feed("PRI * HTTP/2.0\r\n");
        ChannelPipeline p = channel.pipeline();
        assertNotNull(p.get(AltoChannelInitializer.DETECT));
        assertEquals("", written(), "nothing is answered while undecided");
        feed("\r\nSM\r\n\r\n");
        assertNull(p.get(AltoChannelInitializer.DETECT));
        assertNull(p.get(AltoChannelInitializer.HTTP_CODEC));
        assertNull(p.get(AltoChannelInitializer.DEADLINE));
        assertNull(p.get(AltoChannelInitializer.EXCHANGE));
        assertNotNull(p.get(AltoChannelInitializer.HTTP2_CODEC));
        assertNotNull(p.get(AltoChannelInitializer.HTTP2_CONNECTION));
        channel.flushOutbound();
        channel.runPendingTasks();
        byte[] settings = written().getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(settings.length >= 9, "the server's SETTINGS frame");
        assertEquals(0x4, settings[3], "frame type SETTINGS");
        channel.close();
        channel.runPendingTasks();
        byte[] bye = written().getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(bye.length >= 9 && bye[3] == 0x7, "closing says GOAWAY");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aRequestForVersion2WithoutThePrefaceStaysHttp11AndIsRefused() {
        feed("GET / HTTP/2.0\r\nHost: h\r\n\r\n");
        channel.runPendingTasks();
        String out = written();
        assertTrue(out.startsWith("HTTP/1.1 505"), out);
        assertFalse(channel.finishAndReleaseAll());
    }
}
