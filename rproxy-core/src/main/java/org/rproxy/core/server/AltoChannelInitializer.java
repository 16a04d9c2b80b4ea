package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds the pipeline of one accepted connection, one named step per method:
 *
 * <pre>
 *   first-byte (FirstByteDeadline) → [tls] → http (HttpServerCodec) → deadline (RequestDeadline)
 *         → assembler (RequestAssembler) → exchange (ExchangeHandler)     while under the limit
 *   [tls] → http (HttpServerCodec) → overload (OverloadResponder)          beyond it
 * </pre>
 *
 * The connection takes its place in the {@link ConnectionLimit} here and gives it back when it
 * closes. The decoder's header sections are {@link ReceivedHeaders}, so that {@link HeadRules}
 * can see a dropped {@code Content-Length}. Shared by all connections of a server; runs on each
 * connection's event loop.
 */
final class AltoChannelInitializer extends ChannelInitializer<Channel> {

    static final String FIRST_BYTE = "first-byte";
    static final String TLS = "tls";
    static final String HTTP_CODEC = "http";
    static final String DEADLINE = "deadline";
    static final String ASSEMBLER = "assembler";
    static final String EXCHANGE = "exchange";
    static final String OVERLOAD = "overload";

    /** Refused connections that may wait at once for their client to read the 503 and leave. */
    private static final int MAX_LINGERING = 256;
    /** How often one kind of front-end warning may be written; the ones between are counted. */
    private static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);
    /** Body pieces handed up by the decoder; the limit on the whole body is separate. */
    private static final int MAX_CHUNK_SIZE = 16 * 1024;

    private final FrontEndConfig config;
    private final AltoService service;
    private final RequestObserver observer;
    private final ResponseRenderer renderer;
    private final ConnectionLimit limit;
    private final ConnectionLimit lingering = new ConnectionLimit(MAX_LINGERING);
    private final RateLimitedLog warnings = new RateLimitedLog(WARNING_INTERVAL, Clock.systemUTC());

    AltoChannelInitializer(FrontEndConfig config, AltoService service, RequestObserver observer,
                           ResponseRenderer renderer, ConnectionLimit limit) {
        this.config = requireNonNull(config, "config");
        this.service = requireNonNull(service, "service");
        this.observer = requireNonNull(observer, "observer");
        this.renderer = requireNonNull(renderer, "renderer");
        this.limit = requireNonNull(limit, "limit");
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (!limit.tryAcquire()) {
            addTls(ch, p);
            addHttpCodec(p);
            addOverloadResponder(p);
            return;
        }
        ch.closeFuture().addListener(f -> limit.release());
        addFirstByteDeadline(p);
        addTls(ch, p);
        addHttpCodec(p);
        addDeadline(p);
        addAssembler(p);
        addExchange(p);
    }

    private void addFirstByteDeadline(ChannelPipeline p) {
        p.addLast(FIRST_BYTE, new FirstByteDeadline(config.effectiveFirstByteTimeout().toNanos()));
    }

    private void addTls(Channel ch, ChannelPipeline p) {
        if (config.sslContext() != null) {
            p.addLast(TLS, config.sslContext().newHandler(ch.alloc()));
        }
    }

    private void addHttpCodec(ChannelPipeline p) {
        p.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setHeadersFactory(ReceivedHeaders.FACTORY)));
    }

    private void addDeadline(ChannelPipeline p) {
        p.addLast(DEADLINE, new RequestDeadline(config.idleTimeout().toNanos()));
    }

    private void addAssembler(ChannelPipeline p) {
        p.addLast(ASSEMBLER, new RequestAssembler(config, service, warnings));
    }

    private void addExchange(ChannelPipeline p) {
        p.addLast(EXCHANGE, new ExchangeHandler(service, renderer, observer, config, warnings));
    }

    private void addOverloadResponder(ChannelPipeline p) {
        p.addLast(OVERLOAD, new OverloadResponder(renderer, observer, lingering, warnings));
    }
}
