package org.rproxy.core.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Ticker;

/**
 * Closes an HTTP/1.1 connection whose request was refused while its body was still on the wire
 * (413, 415, 503, ...) without destroying the answer: closing a socket with unread input makes the
 * kernel send a reset, and the client, still writing its body, then fails in its write and never
 * reads the answer that was sent. So, once the answer has reached the socket, the connection
 * half-closes (plain TCP: the client reads the answer and then the end of the stream) and reads
 * and drops whatever comes, ahead of the HTTP decoder, until the client closes its side, or sends
 * nothing for {@link #SILENCE_MILLIS}, or {@link #MAX_MILLIS} have passed, or {@link #MAX_BYTES}
 * have been dropped, and then closes (the "lingering close" of nginx, whose
 * {@code lingering_timeout} and {@code lingering_time} are the two times).
 *
 * <p>The bounds: {@link #SILENCE_MILLIS} is time enough for the answer to reach a client on
 * the other side of the world and for what it had in flight to arrive. A client that writes its
 * whole body before it reads (a blocking client does) sees the answer only once it has sent the
 * rest, however long that takes on its link or its loaded machine: while its bytes keep coming
 * the linger goes on, up to {@link #MAX_MILLIS} in all (a 2 s total cut such a client off with a
 * reset), half the default idle timeout a client may already take over a request.
 * {@link #MAX_BYTES} is Linux's largest autotuned send buffer ({@code net.ipv4.tcp_wmem}'s
 * default maximum), what a client that stops sending when it sees the answer can still have
 * queued towards the server. A client that goes on sending past it meets the reset it asked for.
 * Nothing is held: every buffer read is released at once, and the connection keeps its place
 * among the server's connections until it closes. Over TLS the connection does not half-close
 * (TLS has its own close); it reads and drops the same way, and a client reads the answer by its
 * length. Only for real sockets: an HTTP/2 stream (its connection goes on) or an embedded channel
 * closes at once. An HTTP/2 connection ended by a connection error lingers the same way behind its
 * GOAWAY ({@link Http2ErrorClose}), half-closing once the GOAWAY is written ({@link #startBehind}),
 * and so does a connection refused at a connection limit, behind its 503 or GOAWAY
 * ({@link OverloadResponder}).
 * One per lingering connection, on its event loop.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

    static final String NAME = "linger";
    /** The longest the client may send nothing before the connection closes. */
    static final long SILENCE_MILLIS = 2_000;
    /** The longest the linger lasts, however steadily the client sends. */
    static final long MAX_MILLIS = 30_000;
    static final long MAX_BYTES = 4L * 1024 * 1024;

    /** In place of {@link ChannelFutureListener#CLOSE} on the write of an answer sent before the request was read. */
    static final ChannelFutureListener AFTER_ANSWER = written -> start(written.channel(), written.isSuccess());

    private ChannelHandlerContext ctx;
    private Ticker ticker;
    /** The one pending check: it closes the connection, or looks again when the silence could end. */
    private ScheduledFuture<?> deadline;
    private long endNanos;
    private long lastReadNanos;
    private long dropped;

    private LingeringClose() {
    }

    /**
     * Lingers on {@code ch} when it can (an active socket whose input is open, not lingering
     * already), else closes it; {@code written}: the answer (or GOAWAY) went out.
     */
    static void start(Channel ch, boolean written) {
        if (!written || !canLinger(ch)) {
            ch.close();
            return;
        }
        install(ch);
        halfClose(ch);
    }

    /**
     * Lingers on {@code ch} (which {@link #canLinger can}) from now: reads and drops what comes,
     * and half-closes only once {@code written} (what was queued before, the last of it) has
     * gone out; closes if that write fails. The linger's bounds run from now, so a client that
     * reads nothing cannot hold the connection longer by leaving it unwritten.
     */
    static void startBehind(Channel ch, ChannelFuture written) {
        install(ch);
        written.addListener(f -> {
            if (f.isSuccess()) {
                halfClose(ch);
            } else {
                closeFrom(ch);
            }
        });
    }

    /** Whether {@code ch} can linger: an active socket whose input is open, not lingering already. */
    static boolean canLinger(Channel ch) {
        return ch.isActive() && ch instanceof DuplexChannel duplex && !duplex.isInputShutdown()
                && ch.pipeline().get(NAME) == null;
    }

    /**
     * Closes {@code ch} from the linger's step, so that no step behind it (one waiting for the
     * linger's end) holds the close; from the tail when it is not lingering.
     */
    private static void closeFrom(Channel ch) {
        ChannelHandlerContext linger = ch.pipeline().context(NAME);
        if (linger != null) {
            linger.close();
        } else {
            ch.close();
        }
    }

    private static void install(Channel ch) {
        LingeringClose linger = new LingeringClose();
        ChannelPipeline p = ch.pipeline();
        if (p.get(AltoChannelInitializer.TLS) != null) {
            p.addAfter(AltoChannelInitializer.TLS, NAME, linger);
        } else {
            p.addFirst(NAME, linger);
        }
        // the exchange stopped reading when it wrote its last answer
        ch.config().setAutoRead(true);
    }

    /** Half-closes a plain connection (the client reads to the end of the stream); TLS has its own close, and does not. */
    private static void halfClose(Channel ch) {
        if (ch.pipeline().get(AltoChannelInitializer.TLS) != null || !ch.isActive()) {
            return;
        }
        ((DuplexChannel) ch).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                closeFrom(ch);
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ticker = ctx.executor().ticker();
        lastReadNanos = ticker.nanoTime();
        endNanos = lastReadNanos + TimeUnit.MILLISECONDS.toNanos(MAX_MILLIS);
        deadline = ctx.executor().schedule(this::check, SILENCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes the connection when the client has been silent for {@link #SILENCE_MILLIS} or the
     * linger has lasted {@link #MAX_MILLIS}; else looks again when the silence could end (a read
     * only notes its time: no schedule and cancel per read).
     */
    private void check() {
        deadline = null;
        long now = ticker.nanoTime();
        long quietUntil = lastReadNanos + TimeUnit.MILLISECONDS.toNanos(SILENCE_MILLIS);
        long next = Math.min(quietUntil, endNanos);
        if (next - now <= 0) {
            ctx.close();
            return;
        }
        deadline = ctx.executor().schedule(this::check, next - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            dropped += bytes.readableBytes();
        }
        lastReadNanos = ticker.nanoTime();
        ReferenceCountUtil.release(msg);
        if (dropped > MAX_BYTES && ctx.channel().config().isAutoRead()) {
            // read no more: over TLS the close waits for its close_notify to be flushed (up to
            // SslHandler's closeNotifyFlushTimeout), which a client that does not read holds back,
            // and a client still sending meanwhile must meet a full window, not a reader
            ctx.channel().config().setAutoRead(false);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // nothing read here goes on: the handlers behind have nothing to complete
    }

    /** The client has closed its side: it has read the answer, or will not. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
