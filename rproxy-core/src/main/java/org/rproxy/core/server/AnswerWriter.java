package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one answer on the wire for {@link ExchangeHandler}: renders it, says whether the
 * connection stays open ({@code Connection} header, close after the write), or writes the head of
 * an event stream and hands the stream to the service; and tells the {@link RequestObserver}.
 * One per connection, called on its event loop only.
 */
final class AnswerWriter {

    /** What goes wrong on a connection is logged under one name, the connection handler's. */
    private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);
    private static final String IDENTITY = "identity";
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ResponseRenderer renderer;
    private final RequestObserver observer;
    private final FrontEndConfig config;
    private final RateLimitedLog warnings;
    private final AltoService service;
    private final BodySpool files;
    /** The server's bound on bodies pumped in parts (on an HTTP/1.1 connection or an HTTP/2 stream), or null: none is. */
    private final NodeSendBudget sends;
    /** Whether the transport copies every body written (TLS), not only heap ones. */
    private final boolean copying;
    /** The body of the last answer, still being handed on in parts, or null. */
    private BodyPump pump;

    /**
     * @param service names the route of each path for the observer
     * @param files   the spool whose files this connection may send by sendfile, or null (TLS, HTTP/2)
     * @param sends   the server's bound on pumped bodies, or null: no body is pumped
     */
    AnswerWriter(ResponseRenderer renderer, RequestObserver observer, FrontEndConfig config, RateLimitedLog warnings,
                 AltoService service, BodySpool files, NodeSendBudget sends) {
        this.files = files;
        this.sends = sends;
        this.copying = config.sslContext() != null;
        this.renderer = requireNonNull(renderer, "renderer");
        this.observer = requireNonNull(observer, "observer");
        this.config = requireNonNull(config, "config");
        this.warnings = requireNonNull(warnings, "warnings");
        this.service = requireNonNull(service, "service");
    }

    /**
     * Writes (without flushing) the answer to {@code exchange}; true when the connection closes
     * after it: the request did not ask to keep it alive, its refusal says so, or {@code last} (the
     * server is stopping or the client closed its side, and nothing else is owed). After a refusal
     * whose input is still on the wire, the close is a {@link LingeringClose}.
     */
    boolean write(ChannelHandlerContext ctx, Exchange exchange, Reply reply, boolean last) {
        RequestHead head = exchange.head();
        boolean unread = exchange instanceof Exchange.Refusal refusal && refusal.close();
        boolean close = !head.keepAlive() || unread || last;
        List<HeaderField> extra = exchange instanceof Exchange.Refusal refusal ? refusal.headers() : List.of();
        HttpResponse response = render(head, reply, extra,
                close ? HttpHeaderValues.CLOSE : head.http10() ? HttpHeaderValues.KEEP_ALIVE : null);
        int status = response.status().code();
        String coding = response.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (coding == null && status == 304 && reply instanceof Reply.Ok ok) {
            // A 304 names no coding; the variant it confirms has one.
            coding = ok.representation().select(head.acceptsGzip()).contentEncoding();
        }
        ChannelFuture written;
        long bodyBytes;
        ByteBuf encodedHead;
        try {
            // The first encoding of a shared head allocates direct memory, which can throw
            // OutOfMemoryError: the body, a spooled file's reference above all, must not go with it.
            encodedHead = encodedHead(ctx, response);
        } catch (Throwable t) {
            dropUnwritten(response);
            throw t;
        }
        if (response instanceof ResponseRenderer.Spooled spooled) {
            bodyBytes = spooled.region().count();
            if (encodedHead != null) {
                written = ctx.write(new EncodedResponse(encodedHead, spooled.region()));
            } else {
                ctx.write(spooled);
                ctx.write(spooled.region());
                written = ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        } else {
            ByteBuf content = ((FullHttpResponse) response).content();
            bodyBytes = content.readableBytes();
            if (pumped(content)) {
                // the head alone, fields and all, then the body in parts as the client takes them
                written = ctx.write(new DefaultHttpResponse(response.protocolVersion(), response.status(),
                        new DefaultHttpHeaders().set(response.headers())));
                pump = new BodyPump(content, sends, close ? closing(unread) : null); // the caller pumps it
            } else {
                written = ctx.write(encodedHead != null ? new EncodedResponse(encodedHead, content) : response);
            }
        }
        if (LOG.isDebugEnabled()) { // no listener per answer on the hot path unless it is read
            written.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    // Netty closes the connection itself on a failed write; say why, the client sees only the end.
                    LOG.debug("answer to {} {} on {} not sent whole", head.method(), head.path(), f.channel(), f.cause());
                }
            });
        }
        if (close && pump == null) {
            written.addListener(closing(unread));
        }
        observe(ctx, head, status, bodyBytes, reply instanceof Reply.Ok ok ? ok.cache() : CacheStatus.NONE, coding);
        return close;
    }

    /** The close after an answer: the client may still be sending what was not read, which a close at once would reset. */
    private static ChannelFutureListener closing(boolean unread) {
        return unread ? LingeringClose.AFTER_ANSWER : ChannelFutureListener.CLOSE;
    }

    /** Whether {@code content} goes out in parts: large, and copied by the transport for this response. */
    private boolean pumped(ByteBuf content) {
        return sends != null && content.readableBytes() >= BodyPump.MIN_BYTES && (copying || !content.isDirect());
    }

    /**
     * Hands on what there is room for of a body being pumped; true while one is not all written,
     * and the answers after it wait. {@code again} is run on the connection's event loop when the
     * server's bound has room again.
     */
    boolean pumping(ChannelHandlerContext ctx, Runnable again) {
        if (pump != null && pump.pump(ctx, again)) {
            pump = null;
        }
        return pump != null;
    }

    /** True while a body is still being handed on in parts. */
    boolean pumpingNow() {
        return pump != null;
    }

    /** The connection is gone: a body being pumped is let go. */
    void drop() {
        if (pump != null) {
            pump.drop();
            pump = null;
        }
    }

    /**
     * Releases the body of {@code response}, which will not be written: a spooled file's reference
     * (the file would otherwise never be deleted) or the content of a full response.
     */
    private static void dropUnwritten(HttpResponse response) {
        if (response instanceof ResponseRenderer.Spooled spooled) {
            spooled.region().release();
        } else {
            ReferenceCountUtil.release(response);
        }
    }

    /**
     * The bytes of {@code response}'s head when it is a shared one already encoded and this is an
     * HTTP/1.1 connection (whose codec writes them as they are), else null: the response is
     * written as such.
     */
    private static ByteBuf encodedHead(ChannelHandlerContext ctx, HttpResponse response) {
        if (!(response instanceof ResponseRenderer.Shareable r) || r.shared() == null
                || ctx.channel() instanceof Http2StreamChannel) {
            return null;
        }
        return r.shared().encoded();
    }

    /** Writes the head of an event stream and hands its writer to the service; the connection is the stream's now. */
    EventStreamWriter startStream(ChannelHandlerContext ctx, RequestHead head, Reply.Stream reply) {
        EventStreamWriter stream = new EventStreamWriter(ctx, reply.heartbeat().toNanos());
        ctx.writeAndFlush(EventStreamWriter.head(head.http10()));
        stream.start();
        observe(ctx, head, 200, 0, CacheStatus.NONE, null);
        try {
            reply.onOpen().accept(stream);
        } catch (RuntimeException e) {
            warnings.error(LOG, "stream service failed on {} {}", head.method(), head.path(), e);
            stream.close();
        }
        return stream;
    }

    /** The refusal of an answer over an HTTP/2 connection's limit of large answers not yet read: 503. */
    Reply answersWaiting(RequestHead head, int limit) {
        return Reply.error(FrontEndErrors.answersWaiting(limit), config.dialectFor(head.path()));
    }

    /** The answer to a request the service failed on: 500 in the dialect of its path. */
    Reply internalError(RequestHead head) {
        return Reply.error(FrontEndErrors.internal(), config.dialectFor(head.path()));
    }

    /** The response to {@code reply}, with {@code connection} (null: no such field). */
    private HttpResponse render(RequestHead head, Reply reply, List<HeaderField> extra, AsciiString connection) {
        try {
            return renderer.render(head, reply, extra, files, connection);
        } catch (RuntimeException e) {
            // A variant header Netty refuses to write (say, a CR in a value) is the origin's bug.
            warnings.error(LOG, "cannot render the answer to {} {}", head.method(), head.path(), e);
            return renderer.render(head, internalError(head), List.of(), null, connection);
        }
    }

    private void observe(ChannelHandlerContext ctx, RequestHead head, int status, long bodyBytes, CacheStatus cache,
                         String coding) {
        try {
            String path = head.path();
            observer.onResponse(new Served(ctx.channel().remoteAddress(), protocol(ctx, head), head.method(), path,
                    path.equals(RequestHead.UNKNOWN) ? path : service.route(path), status, bodyBytes,
                    System.nanoTime() - head.startNanos(), cache, coding == null ? IDENTITY : coding,
                    config.dialectFor(path)));
        } catch (RuntimeException e) {
            warnings.warn(LOG, "request observer failed", e);
        }
    }

    private static String protocol(ChannelHandlerContext ctx, RequestHead head) {
        if (ctx.channel() instanceof Http2StreamChannel) {
            return "HTTP/2.0";
        }
        return head.http10() ? "HTTP/1.0" : "HTTP/1.1";
    }

    /**
     * Sends {@code 100 (Continue)}; the caller sends it only when no earlier answer is
     * outstanding, as it would be taken for an earlier request's (the client then sends its body
     * after its own wait, RFC 9110 §10.1.1). On HTTP/1.1 written below the HTTP codec, whose
     * encoder takes whole responses only and would refuse bare bytes between them; on an HTTP/2
     * stream written through the stream's pipeline as a full response, which the stream codec
     * sends as an interim HEADERS frame (the request deadline does not take it for the answer).
     */
    static void writeContinue(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof Http2StreamChannel) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
            return;
        }
        ChannelHandlerContext codec = ctx.pipeline().context(AltoChannelInitializer.HTTP_CODEC);
        if (codec != null) {
            codec.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE));
        }
    }

    /**
     * Closes the connection once every answer handed to it has reached the socket: a close at once
     * would drop what still waits in the outbound buffer (the rest of a large map to a slow
     * reader), and a body still being handed on in parts closes after its last part (on an
     * HTTP/2 stream too: closed before, it would be reset with the rest of its answer unsent). An
     * empty write completes after every write before it. An HTTP/2 stream otherwise closes at once:
     * its frames are the connection's to send, and the connection closes gracefully.
     */
    void closeOnceWritten(ChannelHandlerContext ctx) {
        if (pump != null) {
            pump.closeAfterLast();
        } else if (ctx.channel() instanceof Http2StreamChannel) {
            ctx.close();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
