package org.rproxy.push;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutException;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.upstream.InterimResponses;

/**
 * The handler of one {@link UpstreamStream} connection: sends the subscription, checks the
 * answer (skipping at most {@link UpstreamStream#MAX_INTERIM} interim responses, ending the
 * attempt on a 101 or a refusal, whose ALTO error it reads), forwards the stream's bytes to the
 * {@link UpstreamStream.Listener}, and closes a stream not {@linkplain #accepted accepted} within
 * the deadline of its opening. A stream ends cleanly ({@link StreamEnd#ended}) only at the
 * terminating chunk of a chunked response; any other end is a break. On the event loop, apart from
 * {@link #accepted}.
 */
final class UpstreamStreamHandler extends SimpleChannelInboundHandler<HttpObject> {
    /** The most of a refusal's body read for its ALTO error. */
    private static final int MAX_ERROR_BYTES = 16 * 1024;
    private FullHttpRequest request;
    private final UpstreamStream.Listener listener;
    private boolean streaming;
    private static final String CLOSED_BY_UPSTREAM = "closed by the upstream";
    private String reason = CLOSED_BY_UPSTREAM;
    private static final String CLOSE_DELIMITED = "connection closed by the upstream (a stream without chunked framing,"
            + " whose end cannot tell a stop from a crash)";
    /** The upstream ended the stream's response with its last chunk: a clean end, not a break. */
    private boolean ended;
    /**
     * The stream's response is chunked, so its end is a terminating chunk the upstream wrote. A
     * response without that framing (through an HTTP/1.0 hop or a cache, say) ends only when the
     * connection closes, where the codec makes up a last content: a crashed upstream looks the same.
     */
    private boolean chunked;
    /** The body of a refusal with an ALTO error (or a 5xx's message as text), while it is read; else null. */
    private ByteArrayOutputStream refusal;
    /** An interim 1xx was read: the codec's empty end of it follows, and is not the stream's end. */
    private boolean interim;
    private int interimCount;
    private final Duration deadline;
    private ScheduledFuture<?> opening;
    /**
     * This handler closed the connection on a deadline (the opening's or the read timeout), which
     * may pass during the TLS handshake: the handshake then fails because of that close, and the
     * reason stays the deadline's.
     */
    private boolean timedOut;
    /** The TLS handshake failed: its reason is said, and what the closing channel throws next is not. */
    private boolean handshakeFailed;
    /** Set by the feed's thread once it took the first control event. */
    volatile boolean accepted;

    UpstreamStreamHandler(FullHttpRequest request, UpstreamStream.Listener listener, Duration deadline) {
        this.request = request;
        this.listener = listener;
        this.deadline = deadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        opening = ctx.executor().schedule(() -> {
            if (!accepted) {
                reason = (streaming ? "no control event" : "no answer") + " within the read timeout ("
                        + deadline.toMillis() + " ms) of connecting";
                timedOut = true;
                ctx.close();
            }
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Sends the subscription. A write that fails (the connection reset, the TLS handler failing
     * it) ends the attempt with that cause as its reason; it read as "closed by the upstream".
     */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        FullHttpRequest r = request;
        request = null;
        ctx.writeAndFlush(r).addListener(w -> {
            if (!w.isSuccess() && !timedOut && reason.equals(CLOSED_BY_UPSTREAM)) {
                reason = "cannot send the subscription: " + TransportFailures.reason(w.cause());
                ctx.close();
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (interim && msg instanceof LastHttpContent) {
            interim = false;
            return;
        }
        if (msg instanceof HttpResponse r && !streaming && refusal == null) {
            switch (InterimResponses.of(r.status(), false)) {
                case SKIP -> {
                    // 103 Early Hints, an unasked-for 100: the answer follows, but not forever
                    if (++interimCount > UpstreamStream.MAX_INTERIM) {
                        reason = "upstream sent more than " + UpstreamStream.MAX_INTERIM + " interim responses (" + r.status()
                                + ") and no answer";
                        ctx.close();
                        return;
                    }
                    interim = !(msg instanceof LastHttpContent);
                    return;
                }
                case UNASKED_SWITCH, SWITCHED -> {
                    // no upgrade is asked for: what follows is another protocol
                    reason = InterimResponses.unaskedSwitch(r);
                    ctx.close();
                    return;
                }
                case FINAL -> {
                    // the answer, below
                }
            }
        }
        if (msg instanceof HttpResponse r) {
            String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            // Locale.ROOT: under a Turkish locale APPLICATION/ALTO-ERROR+JSON lowered has a dotless ı
            String lowered = type.toLowerCase(Locale.ROOT);
            if (r.status().code() != 200 || !lowered.startsWith(MediaTypes.EVENT_STREAM)) {
                reason = "upstream answered " + r.status() + " " + type;
                if (r.status().code() >= 400 && lowered.startsWith(MediaTypes.ERROR)
                        || r.status().code() >= 500 && lowered.startsWith("text/plain")) {
                    refusal = new ByteArrayOutputStream();
                    if (!(msg instanceof HttpContent)) {
                        return; // its body follows
                    }
                } else {
                    ctx.close();
                    return;
                }
            }
        }
        if (refusal != null) {
            readRefusal(ctx, msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            streaming = true;
            chunked = HttpUtil.isTransferEncodingChunked(r);
            listener.opened();
        }
        if (msg instanceof HttpContent c && streaming && c.content().isReadable()) {
            listener.bytes(ByteBufUtil.getBytes(c.content()));
        }
        if (msg instanceof LastHttpContent && streaming) {
            // only a terminating chunk is the upstream's own end; a close-delimited one may be a crash
            ended = chunked;
            if (!chunked && reason.equals(CLOSED_BY_UPSTREAM)) {
                reason = CLOSE_DELIMITED;
            }
            ctx.close();
        }
    }

    /** Reads the refusal's body; at its end (or past its bound), tells its error and closes. */
    private void readRefusal(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpContent c) {
            byte[] part = new byte[Math.min(MAX_ERROR_BYTES - refusal.size(), c.content().readableBytes())];
            c.content().readBytes(part);
            refusal.writeBytes(part);
        }
        if (msg instanceof LastHttpContent || refusal.size() >= MAX_ERROR_BYTES) {
            try {
                AltoError error = AltoJson.readError(Jcs.parse(refusal.toByteArray()));
                reason += ": " + error.message();
                listener.refused(error);
            } catch (RuntimeException notAnError) {
                // a server condition (a 5xx's message as text), or no ALTO error after all: its first line, if any
                String text = new String(refusal.toByteArray(), java.nio.charset.StandardCharsets.UTF_8).strip();
                int end = text.indexOf('\n');
                String line = end < 0 ? text : text.substring(0, end);
                if (!line.isEmpty() && line.chars().noneMatch(c -> c < 0x20)) {
                    reason += ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
                }
            }
            refusal = null;
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
            handshakeFailed = true;
            if (!timedOut) {
                String words = TransportFailures.tls(e.cause());
                reason = words != null ? words : "TLS handshake failed: " + TransportFailures.reason(e.cause());
            }
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (handshakeFailed) {
            ctx.close();
            return;
        }
        if (!timedOut) { // else closing already, for the deadline's reason
            timedOut = cause instanceof ReadTimeoutException;
            reason = timedOut ? "no heartbeat within the read timeout" : cause.toString();
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelOpening();
        if (request != null) {
            request.release();
            request = null;
        }
        listener.closed(ended ? StreamEnd.ended() : StreamEnd.broken(reason));
    }

    private void cancelOpening() {
        if (opening != null) {
            opening.cancel(false);
            opening = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelOpening();
        if (request != null) {
            request.release();
            request = null;
        }
    }
}
