package org.rproxy.harness.load;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One keep-alive HTTP/1.1 connection shared by many viewers, with up to {@code depth} requests in
 * flight (pipelining, RFC 9112 §9.3.2, when depth > 1) and a backlog for the rest. Viewers stay
 * on the connection they were given, as a real client keeps its connection.
 *
 * <p>All state is touched on the one event loop the connection is bound to; {@link #submit} may be
 * called from any thread. One failure does not fail every request sharing the connection, as an
 * ordinary HTTP client retries an idempotent request once on a new connection (RFC 9110 §9.2.2):
 * when the server closes the connection (a keep-alive limit, say), each request in flight that
 * is a GET and was not sent again already goes out again first on a new connection, and the rest
 * fail ({@code connection closed}); the backlog follows. A request unanswered for the timeout
 * fails ({@code timeout}), the connection is replaced, and those in flight behind it are sent
 * again likewise, or fail ({@code timeout of a request ahead}). A failed connect (counted once
 * per attempt, not per request) sends the backlog, which nothing has been written of, on a second
 * connect; those still waiting when that one fails too fail ({@code connect failed}). Towards an
 * {@code https} target a connect ends with the TLS handshake, and a failed handshake is a failed
 * connect whose kind says why ({@code connect failed: TLS handshake failed: the certificate is not
 * trusted by ...}).
 */
final class Connection {
    private final EventLoop loop;
    private final InetSocketAddress address;
    private final String host;
    private final TargetTls tls;
    private final String peerHost;
    private final int depth;
    private final long timeoutNanos;
    private final ArrayDeque<Exchange> inflight = new ArrayDeque<>();
    private final ArrayDeque<Exchange> backlog = new ArrayDeque<>();
    private final ScheduledFuture<?> watchdog;
    private final Stats stats;
    private Channel channel;
    /** The connect under way, or null. */
    private ChannelFuture connecting;
    private boolean closed;
    /** Inside a read: writes wait for the end of the read so that one flush carries them all. */
    private boolean reading;

    /**
     * @param host     the Host header's value
     * @param tls      TLS towards the target, or null for plain HTTP
     * @param peerHost the target's host name, which its certificate must hold
     * @param stats    where connects, failed connects and requests sent again are counted
     */
    Connection(EventLoop loop, InetSocketAddress address, String host, TargetTls tls, String peerHost, int depth,
               long timeoutNanos, Stats stats) {
        this.loop = loop;
        this.stats = stats;
        this.address = address;
        this.host = host;
        this.tls = tls;
        this.peerHost = peerHost;
        this.depth = depth;
        this.timeoutNanos = timeoutNanos;
        this.watchdog = loop.scheduleAtFixedRate(this::checkTimeout, 1, 1, TimeUnit.SECONDS);
    }

    /** Queues an exchange; thread-safe. */
    void submit(Exchange ex) {
        if (loop.inEventLoop()) {
            enqueue(ex);
        } else {
            loop.execute(() -> enqueue(ex));
        }
    }

    /** Runs {@code task} on this connection's event loop after {@code delayMillis}; thread-safe. */
    void later(Runnable task, long delayMillis) {
        loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the connection ahead of the first request; thread-safe.
     *
     * @return completes when the connect has ended, established or not
     */
    CompletableFuture<Void> open() {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        loop.execute(() -> {
            connect();
            if (connecting == null) {
                ended.complete(null);
            } else {
                connecting.addListener(f -> ended.complete(null));
            }
        });
        return ended;
    }

    /**
     * Closes the connection and fails whatever is queued; thread-safe.
     *
     * @return completes once the channel is closed (a TLS channel's close_notify written), so that
     *         the event loop is not stopped with it still open
     */
    CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            closed = true;
            watchdog.cancel(false);
            failAll(backlog, "harness stopped");
            Channel ch = channel != null ? channel : connecting != null ? connecting.channel() : null;
            if (ch == null) {
                done.complete(null);
            } else {
                ch.close().addListener(f -> done.complete(null));
            }
        });
        return done;
    }

    private void enqueue(Exchange ex) {
        if (closed) {
            ex.callback.onFailure("harness stopped");
            return;
        }
        backlog.add(ex);
        if (!reading) {
            pump();
        }
    }

    private void pump() {
        if (channel == null || !channel.isActive()) {
            connect();
            return;
        }
        boolean wrote = false;
        while (inflight.size() < depth && !backlog.isEmpty()) {
            write(backlog.poll());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    private void write(Exchange ex) {
        FullHttpRequest req = Wire.request(ex, host);
        ex.writtenNanos = System.nanoTime();
        inflight.add(ex);
        channel.write(req, channel.voidPromise());
    }

    private void connect() {
        if (connecting != null || closed || (channel != null && channel.isActive())) {
            return;
        }
        stats.connects.increment();
        ChannelFuture f = Wire.connect(loop, address, tls, peerHost, new Handler());
        connecting = f;
        f.addListener(done -> {
            connecting = null;
            if (!done.isSuccess()) {
                stats.connectFailures.increment();
                // nothing of the backlog was written: each request waiting for the first time gets a second connect
                if (!closed && !sendAgain(backlog, "connect failed: " + reason(done.cause()), true).isEmpty()) {
                    connect();
                }
                return;
            }
            channel = f.channel();
            if (closed) {
                channel.close();
                return;
            }
            pump();
        });
    }

    private void checkTimeout() {
        Exchange head = inflight.peek();
        if (head != null && System.nanoTime() - head.writtenNanos > timeoutNanos && channel != null) {
            inflight.poll();
            fail(head, "timeout");
            sendAgain(inflight, "timeout of a request ahead", false);
            channel.close();
        }
    }

    /**
     * Takes every exchange out of {@code queue}: one that may be sent again (written before only if
     * {@code unwritten} is false, then only a GET) and was not yet goes to the front of the backlog,
     * in order; any other fails with {@code kind}. Returns the backlog.
     */
    private ArrayDeque<Exchange> sendAgain(ArrayDeque<Exchange> queue, String kind, boolean unwritten) {
        ArrayDeque<Exchange> again = new ArrayDeque<>();
        for (Exchange ex; (ex = queue.poll()) != null; ) {
            if (!closed && !ex.sentAgain && (unwritten || ex.method == HttpMethod.GET)) {
                ex.sentAgain = true;
                stats.sentAgain.increment();
                again.add(ex);
            } else {
                fail(ex, kind);
            }
        }
        if (queue != backlog) {
            for (Exchange ex; (ex = again.pollLast()) != null; ) {
                backlog.addFirst(ex);
            }
        } else {
            backlog.addAll(again);
        }
        return backlog;
    }

    private void failAll(ArrayDeque<Exchange> queue, String kind) {
        for (Exchange ex; (ex = queue.poll()) != null; ) {
            fail(ex, kind);
        }
    }

    private static void fail(Exchange ex, String kind) {
        try {
            ex.callback.onFailure(kind);
        } catch (RuntimeException e) {
            // a viewer's bug must not wedge the connection
        }
    }

    private static String reason(Throwable t) {
        if (t instanceof Wire.TlsRefused) {
            return t.getMessage();
        }
        String n = t.getClass().getSimpleName();
        return n.contains("Refused") || String.valueOf(t.getMessage()).contains("refused") ? "refused" : n;
    }

    /** The pipeline end of one physical connection. */
    private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            reading = true;
            Exchange ex = inflight.poll();
            if (ex == null) {
                ctx.close();
                return;
            }
            try {
                ex.callback.onResponse(response);
            } catch (RuntimeException e) {
                // counted by the viewer as an error; the connection goes on
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            reading = false;
            if (ctx.channel() == channel) {
                pump();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != channel) {
                return;
            }
            channel = null;
            reading = false;
            sendAgain(inflight, "connection closed", false);
            if (!backlog.isEmpty() && !closed) {
                connect();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
