package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * Rules of the request head that HTTP/2 streams must get as HTTP/1.1 requests do, though the
 * HTTP/1.1 decoder is not there to apply them: {@code Expect: 100-continue} is answered with an
 * interim 100 (RFC 9110 §10.1.1), and a target longer than the request-line limit is 414. Real
 * sockets and Netty's HTTP/2 client; every HEADERS frame of a stream is seen, interim ones
 * included.
 */
class Http2RequestHeadTest {

    @AutoClose
    private Http2FrontEnd h2;

    /** /query answers the POSTed body back; anything else a document. */
    private void start() {
        h2 = Http2FrontEnd.start(FrontEndConfig.defaults("127.0.0.1", 0), request -> CompletableFuture.completedFuture(
                Reply.ok(request.path().equals("/query") ? new Representation(
                        new Variant(request.body(), null, Fixtures.signedHeaders("\"q-1\"", "q")), null, 0,
                        EmbeddedFrontEnd.NOW.minusSeconds(10), EmbeddedFrontEnd.NOW.plusSeconds(3600))
                        : Fixtures.withGzip())));
    }

    /** Every HEADERS frame's :status in order, and the body. */
    static final class Frames extends SimpleChannelInboundHandler<Http2StreamFrame> {
        final LinkedBlockingQueue<String> statuses = new LinkedBlockingQueue<>();
        final CompletableFuture<String> body = new CompletableFuture<>();
        private final StringBuilder data = new StringBuilder();
        volatile Http2StreamChannel stream;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame f) {
            if (f instanceof Http2HeadersFrame h) {
                statuses.add(String.valueOf(h.headers().status()));
                if (h.isEndStream()) {
                    body.complete(data.toString());
                }
            } else if (f instanceof Http2DataFrame d) {
                data.append(new String(ByteBufUtil.getBytes(d.content()), StandardCharsets.UTF_8));
                if (d.isEndStream()) {
                    body.complete(data.toString());
                }
            }
        }

        String nextStatus() throws InterruptedException {
            String s = statuses.poll(Http2TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (s == null) {
                throw new AssertionError("no HEADERS within " + Http2TestClient.WAIT);
            }
            return s;
        }
    }

    private Frames send(Http2Headers h, boolean endStream) {
        Frames frames = new Frames();
        frames.stream = new Http2StreamChannelBootstrap(h2.client.channel()).handler(frames).open()
                .syncUninterruptibly().getNow();
        frames.stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, endStream));
        return frames;
    }

    @Test
    void expectContinueIsAnsweredWith100ThenTheBodyIsReadAndAnswered() throws Exception {
        start();
        Frames frames = send(new DefaultHttp2Headers().method("POST").path("/query").scheme("http").authority("a")
                .add("content-type", "application/json").add("content-length", "2").add("expect", "100-continue"), false);
        assertEquals("100", frames.nextStatus(), "the client waits for 100 before it sends its body");
        frames.stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8), true));
        assertEquals("200", frames.nextStatus());
        assertEquals("{}", frames.body.get(Http2TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(frames.statuses.isEmpty(), "one interim answer, one final: " + frames.statuses);
    }

    @Test
    void expectContinueWithATooLargeBodyGets413Instead() throws Exception {
        start();
        Frames frames = send(new DefaultHttp2Headers().method("POST").path("/query").scheme("http").authority("a")
                .add("content-type", "application/json")
                .add("content-length", String.valueOf(FrontEndConfig.DEFAULT_MAX_BODY_BYTES + 1))
                .add("expect", "100-continue"), false);
        assertEquals("413", frames.nextStatus(), "a final status instead of 100, as over HTTP/1.1");
    }

    @Test
    void aTargetLongerThanTheRequestLineLimitIs414AsOverHttp11() throws Exception {
        start();
        Frames frames = send(new DefaultHttp2Headers().method("GET")
                .path("/" + "a".repeat(FrontEndConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH)).scheme("http")
                .authority("alto.example"), true);
        assertEquals("414", frames.nextStatus(), "HTTP/1.1 answers 414 past 4 KiB");
        assertTrue(frames.body.get(Http2TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .contains("request line longer than " + FrontEndConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes"));
        assertTrue(h2.client.channel().isActive(), "only the stream is refused; the connection goes on");
        Http2TestClient.Call next = h2.client.open("GET", "/doc", null);
        assertEquals(200, next.status());
    }

    @Test
    void aTargetAsLongAsTheLimitIsServed() throws Exception {
        start();
        // HTTP/2 has no request line: its target is held to the request line's limit
        String target = "/" + "a".repeat(FrontEndConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH - 1);
        Frames frames = send(new DefaultHttp2Headers().method("GET").path(target).scheme("http")
                .authority("alto.example"), true);
        assertEquals("200", frames.nextStatus());
    }
}
