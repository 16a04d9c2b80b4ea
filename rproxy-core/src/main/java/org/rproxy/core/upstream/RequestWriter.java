package org.rproxy.core.upstream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;

import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.store.HeaderField;

/**
 * Starts one exchange of {@link UpstreamClient} on a connection its pool handed out: makes the
 * {@link UpstreamExchange} the connection's response handler finishes, arms its deadline with what
 * is left of the send's, and writes the request in Netty's form with the upstream's {@code Host}
 * (and a {@code Content-Length} for a {@code POST} or a body). On a new https connection the
 * request is written once the handshake has succeeded, never queued behind it. Thread-safe.
 */
final class RequestWriter {
    private final String hostHeader;
    private final Duration timeout;
    private final ChannelPool pool;

    /**
     * @param hostHeader the upstream's authority, as sent in {@code Host}
     * @param timeout    the client's timeout, named when an exchange runs out of it
     * @param pool       where each exchange gives its connection back
     */
    RequestWriter(String hostHeader, Duration timeout, ChannelPool pool) {
        this.hostHeader = hostHeader;
        this.timeout = timeout;
        this.pool = pool;
    }

    /**
     * Starts {@code request} on {@code ch} as one exchange completing {@code result}, ended as
     * unanswered at {@code deadline} ({@link System#nanoTime}) at the latest.
     *
     * @return the exchange, which its caller may {@link UpstreamExchange#abandon}
     */
    UpstreamExchange write(Channel ch, UpstreamRequest request, CompletableFuture<UpstreamResponse> result,
                           long deadline) {
        UpstreamExchange ex = new UpstreamExchange(ch, result, pool);
        ch.attr(UpstreamExchange.EXCHANGE).set(ex);
        // What is left of the send's deadline, however long the connection took to come.
        long left = Math.max(0, deadline - System.nanoTime());
        ex.timer = ch.eventLoop().schedule(() -> ex.fail(noAnswer()), left, TimeUnit.NANOSECONDS);
        SslHandler tls = ch.pipeline().get(SslHandler.class);
        if (tls == null || tls.handshakeFuture().isSuccess()) {
            send(ch, request, ex);
            return ex;
        }
        // A new https connection: the request is made and written once the handshake has
        // succeeded, never queued behind it (a handshake that fails, say on the upstream's
        // certificate, leaves nothing written that the TLS handler would have to give back).
        tls.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                send(ch, request, ex);
            } else {
                String tlsWords = TransportFailures.tls(h.cause());
                ex.fail(new UpstreamException("upstream " + hostHeader + ": " + (tlsWords != null ? tlsWords
                        : "TLS handshake failed: " + TransportFailures.reason(h.cause())),
                        h.cause(), UpstreamException.Kind.UNREACHABLE));
            }
        });
        return ex;
    }

    /** The failure of a send whose deadline passed, in the exchange or waiting for a connection. */
    UpstreamException noAnswer() {
        return new UpstreamException("no answer within " + timeout.toMillis() + " ms from upstream "
                + hostHeader, null, UpstreamException.Kind.TIMED_OUT);
    }

    private void send(Channel ch, UpstreamRequest request, UpstreamExchange ex) {
        if (ex.isDone()) {
            return; // the deadline passed while the handshake ran
        }
        ch.writeAndFlush(toNetty(request)).addListener(w -> {
            if (!w.isSuccess()) {
                ex.fail(new UpstreamException("cannot send to upstream " + hostHeader + ": " + w.cause().getMessage(),
                        w.cause(), true));
            }
        });
    }

    private FullHttpRequest toNetty(UpstreamRequest r) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(r.method()),
                r.target(), Unpooled.wrappedBuffer(r.body().unsafeArray()));
        req.headers().set(HttpHeaderNames.HOST, hostHeader);
        for (HeaderField h : r.headers()) {
            req.headers().add(h.name(), h.value());
        }
        if (r.method().equals("POST") || r.body().length() > 0) {
            req.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body().length());
        }
        return req;
    }
}
