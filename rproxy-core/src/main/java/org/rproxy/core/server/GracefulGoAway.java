package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2PingFrame;

/**
 * The two GOAWAYs of an HTTP/2 connection's graceful stop (RFC 9113 §6.8). A GOAWAY naming the
 * last stream the server has seen ignores every stream the client opened while it was on its
 * way: such a stream is neither answered nor refused, and its client cannot tell whether it was
 * processed. So the first GOAWAY says no more than "stop opening streams" (NO_ERROR, last stream
 * 2^31-1) and goes with a PING; once its acknowledgement is back, the client has read the GOAWAY
 * and everything it sent before the acknowledgement has arrived, so the second GOAWAY can name
 * the last stream opened, every one of which is then answered.
 *
 * <p>A client that never acknowledges is not waited for beyond half the stop's drain (two
 * seconds at most): the second GOAWAY goes then all the same, and the streams in progress keep
 * the rest of the drain. One per connection, owned by its {@link Http2ConnectionGuard}; on the
 * connection's event loop.
 */
final class GracefulGoAway {

    /** The payload of the stop's PING ("rproxy" and a version byte), told from the client's own PINGs' acknowledgements. */
    static final long PING_DATA = 0x7270_726f_7879_0001L;
    /** The longest the first step waits for the PING's acknowledgement. */
    static final Duration MAX_PING_WAIT = Duration.ofSeconds(2);

    private final long pingWaitNanos;
    private ChannelHandlerContext ctx;
    private Runnable then;
    private ScheduledFuture<?> timeout;

    /** @param drain the stop's drain: the PING is awaited half of it, {@link #MAX_PING_WAIT} at most */
    GracefulGoAway(Duration drain) {
        this.pingWaitNanos = Math.min(drain.toNanos() / 2, MAX_PING_WAIT.toNanos());
    }

    /**
     * Sends the first GOAWAY and the PING, and arms the wait for its acknowledgement; {@code then}
     * runs right after the second GOAWAY is written (on the acknowledgement, {@link #read}; at the
     * wait's end; or on {@link #end}).
     */
    void start(ChannelHandlerContext ctx, Runnable then) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.then = requireNonNull(then, "then");
        // Netty computes the GOAWAY's last stream: the last opened plus twice the extra ids, capped at 2^31-1
        ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        ctx.writeAndFlush(new DefaultHttp2PingFrame(PING_DATA));
        timeout = ctx.executor().schedule(this::end, pingWaitNanos, TimeUnit.NANOSECONDS);
    }

    /** Between the two GOAWAYs: the first has been sent, the second not yet. */
    boolean waiting() {
        return timeout != null;
    }

    /** Ends the wait if {@code msg}, a frame the connection read, acknowledges the stop's PING. */
    void read(Object msg) {
        if (waiting() && msg instanceof Http2PingFrame p && p.ack() && p.content() == PING_DATA) {
            end();
        }
    }

    /**
     * Ends the wait now, if it is on: sends the second GOAWAY, naming the last stream opened, and
     * runs what was to follow it. Also when the client closed its side (no acknowledgement can
     * come) or the wait ran out.
     */
    void end() {
        if (!waiting()) {
            return;
        }
        timeout.cancel(false);
        timeout = null;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        then.run();
    }

    /** Drops the wait without a second GOAWAY: the connection has closed. */
    void cancel() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
