package org.rproxy.core.upstream;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One request of {@link UpstreamClient} on one pooled connection, finished exactly once: by the
 * response ({@link UpstreamHandler}), a failure, the deadline, the connection closing, or its
 * caller giving it up ({@link #abandon}).
 * Finishing gives the connection back to the pool (closed unless it may be kept alive, and then
 * left out by the pool's check, {@link #HEALTH}, however long the close takes).
 */
final class UpstreamExchange {
    /** The exchange under way on a connection, for its response handler. */
    static final AttributeKey<UpstreamExchange> EXCHANGE = AttributeKey.valueOf("rproxy.exchange");
    /** Set once a connection has carried a whole exchange: a request failing on it may be sent again. */
    static final AttributeKey<Boolean> USED = AttributeKey.valueOf("rproxy.used");
    /** Set when the client closes a connection: it may stay open a while yet, and is never pooled again. */
    static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("rproxy.closing");
    /**
     * The pool's check of a connection, as it hands one out and as one is given back (a connection
     * that fails it is closed and left out): open, and not being closed. Open is not enough: a TLS
     * connection's close first sends a close_notify and the connection stays open until that has
     * gone out, which may take until Netty's close_notify flush timeout (3 s) when it waits behind
     * bytes the upstream has not read; a request written on it meanwhile fails. So a connection
     * the client is closing ({@link #close}) is not healthy, nor one whose TLS engine has closed
     * its outbound side (a close begun by the TLS handler itself).
     */
    static final ChannelHealthChecker HEALTH = ch -> ch.eventLoop().newSucceededFuture(ch.isActive()
            && !Boolean.TRUE.equals(ch.attr(CLOSING).get()) && !tlsClosing(ch));

    private final Channel channel;
    private final CompletableFuture<UpstreamResponse> result;
    private final ChannelPool pool;
    private final AtomicBoolean done = new AtomicBoolean();
    volatile ScheduledFuture<?> timer;

    UpstreamExchange(Channel channel, CompletableFuture<UpstreamResponse> result, ChannelPool pool) {
        this.channel = channel;
        this.result = result;
        this.pool = pool;
    }

    void succeed(UpstreamResponse response, boolean keepAlive) {
        if (!finish(keepAlive)) {
            return;
        }
        channel.attr(USED).set(Boolean.TRUE);
        result.complete(response);
    }

    boolean isDone() {
        return done.get();
    }

    void fail(Throwable cause) {
        if (finish(false)) {
            result.completeExceptionally(cause);
        }
    }

    /**
     * Ends the exchange for a caller that no longer wants its answer (it cancelled the send): the
     * connection is closed, since the answer may still come on it, and leaves the pool at once,
     * instead of being held until the answer or the deadline. Any thread.
     */
    void abandon() {
        fail(new CancellationException("abandoned by its caller"));
    }

    private boolean finish(boolean keepAlive) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        channel.attr(EXCHANGE).compareAndSet(this, null);
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        if (!keepAlive) {
            close(channel);
        }
        pool.release(channel); // closing: the pool's check (HEALTH) leaves it out
        return true;
    }

    /** Closes {@code ch}, marked first so that the pool neither hands it out nor takes it back ({@link #HEALTH}). */
    static void close(Channel ch) {
        ch.attr(CLOSING).set(Boolean.TRUE);
        ch.close();
    }

    private static boolean tlsClosing(Channel ch) {
        SslHandler tls = ch.pipeline().get(SslHandler.class);
        return tls != null && tls.engine().isOutboundDone();
    }
}
