package org.rproxy.core.server;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The real front-end pipeline on an {@link EmbeddedChannel}, plus a client side that encodes
 * requests and decodes the bytes the server wrote back into {@link Answer}s. Tests end with
 * {@code assertFalse(channel.finishAndReleaseAll())} on {@link #channel()}.
 */
final class EmbeddedFrontEnd {

    static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** A response as the client saw it, copied out of Netty's buffers. */
    record Answer(int status, HttpHeaders headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final EmbeddedChannel channel;
    private final Deque<Boolean> headRequests = new ArrayDeque<>();
    private final EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
    private final EmbeddedChannel decoder;
    private Answer partial;

    EmbeddedFrontEnd(AltoService service) {
        this(FrontEndConfig.defaults("127.0.0.1", 0), service);
    }

    EmbeddedFrontEnd(FrontEndConfig config, AltoService service) {
        this(config, service, RequestObserver.noop(), new ConnectionLimit(config.maxConnections()));
    }

    EmbeddedFrontEnd(FrontEndConfig config, AltoService service, RequestObserver observer, ConnectionLimit limit) {
        // Time is frozen before the pipeline exists, so timers only move when a test moves them.
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(
                new AltoChannelInitializer(config, service, observer, new ResponseRenderer(CLOCK), limit));
        decoder = new EmbeddedChannel(new HeadAwareDecoder(headRequests));
    }

    EmbeddedChannel channel() {
        return channel;
    }

    /** Moves the channel's clock on by {@code millis} and runs the timers that fall due. */
    void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Encodes {@code request} (released here) and feeds it to the server. */
    EmbeddedFrontEnd send(HttpRequest request) {
        headRequests.add(HttpMethod.HEAD.equals(request.method()));
        encoder.writeOutbound(request);
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            feed(b);
        }
        return this;
    }

    /** Feeds raw bytes, for requests no encoder would produce. */
    EmbeddedFrontEnd sendRaw(String text) {
        headRequests.add(text.startsWith("HEAD "));
        feed(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Feeds more bytes of a request already announced by {@link #sendRaw}. */
    EmbeddedFrontEnd sendMore(String text) {
        feed(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Like a socket: bytes sent after the server closed are lost. */
    private void feed(ByteBuf bytes) {
        if (channel.isOpen()) {
            channel.writeInbound(bytes);
        } else {
            bytes.release();
        }
    }

    /** Every answer written since the last call, in order. */
    List<Answer> answers() {
        for (Object o; (o = channel.readOutbound()) != null; ) {
            decoder.writeInbound(o);
        }
        // Assembled by hand rather than by HttpObjectAggregator, which would add content-length.
        List<Answer> answers = new ArrayList<>();
        for (HttpObject o; (o = decoder.readInbound()) != null; ) {
            try {
                if (o instanceof HttpResponse r) {
                    partial = new Answer(r.status().code(), r.headers().copy(), new byte[0]);
                }
                if (o instanceof HttpContent c) {
                    byte[] more = ByteBufUtil.getBytes(c.content());
                    byte[] body = Arrays.copyOf(partial.body(), partial.body().length + more.length);
                    System.arraycopy(more, 0, body, partial.body().length, more.length);
                    partial = new Answer(partial.status(), partial.headers(), body);
                }
                if (o instanceof LastHttpContent) {
                    answers.add(partial);
                    partial = null;
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return answers;
    }

    /** The single answer written since the last call. */
    Answer answer() {
        List<Answer> all = answers();
        if (all.size() != 1) {
            throw new AssertionError("expected one answer, got " + all.size() + ": " + all);
        }
        return all.get(0);
    }

    /** Releases the client side; the test still finishes {@link #channel()} itself. */
    void closeClient() {
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    /** A response decoder that knows which answers belong to HEAD requests (no body follows). */
    private static final class HeadAwareDecoder extends HttpResponseDecoder {
        private final Deque<Boolean> headRequests;

        HeadAwareDecoder(Deque<Boolean> headRequests) {
            this.headRequests = headRequests;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return true;
            }
            Boolean head = headRequests.poll();
            return (head != null && head) || super.isContentAlwaysEmpty(msg);
        }
    }
}
