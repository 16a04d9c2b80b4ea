package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.model.MediaTypes;

/**
 * What the stream's handler makes of the subscription's fate: a refusal whose media type is
 * written in capitals is read as the ALTO error it is under any default locale (under a Turkish
 * one, {@code toLowerCase()} made {@code APPLICATION/...} into {@code applıcatıon/...}: the refusal
 * was not recognised, and the refused substream asked for again for ever); a subscription that
 * cannot be written ends the attempt with the write's cause, not as "closed by the upstream"; a
 * stream is told as ended cleanly only after the last chunk of its response.
 */
class UpstreamStreamHandlerTest {

    private static void refuseInCapitals(String line, OutputStream out, AtomicLong written) throws IOException {
        byte[] body = "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"message\":\"no such resource\"}}".getBytes(US_ASCII);
        out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: APPLICATION/ALTO-ERROR+JSON\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(US_ASCII));
        out.write(body);
        out.flush();
        throw new java.io.EOFException("answered"); // closes the connection
    }

    @Test
    void aRefusalTypedInCapitalsIsReadAsTheAltoErrorItIsUnderATurkishLocale() throws Exception {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> told = new LinkedBlockingQueue<>();
        try (HostileUpstream upstream = new HostileUpstream(UpstreamStreamHandlerTest::refuseInCapitals)) {
            UpstreamStream.open(group, upstream.uri().resolve("/updates"), null, "{}".getBytes(US_ASCII),
                    Duration.ofSeconds(10), StreamListeners.toldInto(told));
            assertEquals("refused: no such resource", told.poll(10, TimeUnit.SECONDS));
            assertEquals("closed: upstream answered 400 Bad Request APPLICATION/ALTO-ERROR+JSON: no such resource",
                    told.poll(10, TimeUnit.SECONDS));
        } finally {
            Locale.setDefault(before);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aSubscriptionThatCannotBeWrittenEndsTheAttemptWithTheWritesCause() throws Exception {
        BlockingQueue<String> told = new LinkedBlockingQueue<>();
        UpstreamStreamHandler handler = new UpstreamStreamHandler(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.POST, "/updates", Unpooled.wrappedBuffer("{}".getBytes(US_ASCII))), StreamListeners.toldInto(told),
                Duration.ofSeconds(10));
        // the connection's outbound side, failing every write as a reset connection would
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("Connection reset by peer"));
            }
        }, handler);
        ch.runPendingTasks();

        assertEquals("closed: cannot send the subscription: connection reset by peer", told.poll(10, TimeUnit.SECONDS));
        ch.finishAndReleaseAll();
    }

    /**
     * The end of a stream is typed: {@link StreamEnd.Kind#ENDED} after the response's last chunk
     * (what a stopping node writes), {@link StreamEnd.Kind#BROKEN} when the connection goes without
     * it. The push feed told the two apart by comparing the reason's words.
     */
    @ParameterizedTest
    @CsvSource({"true, ENDED, the upstream ended the stream", "false, BROKEN, closed by the upstream"})
    void aStreamIsToldAsEndedCleanlyOnlyAfterItsLastChunk(boolean lastChunk, StreamEnd.Kind kind, String reason) {
        BlockingQueue<StreamEnd> ends = new LinkedBlockingQueue<>();
        UpstreamStreamHandler handler = new UpstreamStreamHandler(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.POST, "/updates", Unpooled.wrappedBuffer("{}".getBytes(US_ASCII))), StreamListeners.endsInto(ends),
                Duration.ofSeconds(10));
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        DefaultHttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        ok.headers().set(HttpHeaderNames.CONTENT_TYPE, MediaTypes.EVENT_STREAM);
        ok.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ch.writeInbound(ok);
        if (lastChunk) {
            ch.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            ch.close();
        }
        ch.finishAndReleaseAll();
        assertEquals(new StreamEnd(kind, reason), ends.poll());
        assertEquals(null, ends.poll(), "told once");
    }

    /**
     * Over a real connection: a chunked stream's terminating chunk is a clean end; a stream with no
     * framing (an HTTP/1.0 hop, a cache) ends when its connection closes, which is what a crashed
     * upstream does too, so that end is a break. Netty makes up a last content at such a close,
     * and the feed took the crash for a planned restart (INFO, and a grace before any warning).
     */
    @ParameterizedTest
    @CsvSource({"HTTP/1.1, true, ENDED", "HTTP/1.0, false, BROKEN", "HTTP/1.1, false, BROKEN"})
    void onlyAChunkedStreamsTerminatingChunkIsACleanEnd(String version, boolean chunked, StreamEnd.Kind kind)
            throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<StreamEnd> ends = new LinkedBlockingQueue<>();
        String event = "event: application/alto-updatestreamcontrol+json\r\ndata: {}\r\n\r\n";
        try (HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
            String head = version + " 200 OK\r\nContent-Type: text/event-stream\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Connection: close\r\n") + "\r\n";
            String body = chunked ? Integer.toHexString(event.length()) + "\r\n" + event + "\r\n0\r\n\r\n" : event;
            out.write((head + body).getBytes(US_ASCII));
            out.flush();
            throw new java.io.EOFException("answered"); // closes the connection
        })) {
            UpstreamStream.open(group, upstream.uri().resolve("/updates"), null, "{}".getBytes(US_ASCII),
                    Duration.ofSeconds(30), StreamListeners.endsInto(ends));
            StreamEnd end = ends.poll(30, TimeUnit.SECONDS);
            assertEquals(kind, end == null ? null : end.kind(), String.valueOf(end));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
