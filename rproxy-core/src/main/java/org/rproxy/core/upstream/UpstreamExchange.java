package org.rproxy.core.upstream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One request of {@link UpstreamClient} on one pooled connection, finished exactly once: by the
 * response ({@link UpstreamHandler}), a failure, the deadline, or the connection closing.
 * Finishing gives the connection back to the pool (closed unless it may be kept alive).
 */
final class UpstreamExchange {
    /** The exchange under way on a connection, for its response handler. */
    static final AttributeKey<UpstreamExchange> EXCHANGE = AttributeKey.valueOf("rproxy.exchange");
    /** Set once a connection has carried a whole exchange: a request failing on it may be sent again. */
    static final AttributeKey<Boolean> USED = AttributeKey.valueOf("rproxy.used");

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
            channel.close();
        }
        pool.release(channel);
        return true;
    }
}
