package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

import org.rproxy.core.log.RateLimitedLog;

/**
 * Builds the pipeline of one HTTP/2 stream (a child channel of the connection's
 * {@code Http2MultiplexHandler}) so that it is served exactly as one HTTP/1.1 request is:
 *
 * <pre>
 *   h2-http (Http2StreamFrameToHttpObjectCodec) → h2-unfinished (UnfinishedRequest) → deadline (RequestDeadline)
 *         → assembler (RequestAssembler) → exchange (ExchangeHandler)
 * </pre>
 *
 * The codec turns the stream's frames into the {@code HttpObject}s an HTTP/1.1 decoder would have
 * produced (version 1.1, {@code :authority} as {@code Host}) and answers back into frames,
 * dropping the connection-specific fields HTTP/2 forbids ({@code Connection},
 * {@code Transfer-Encoding}; RFC 9113 §8.2.2); a request whose body is still coming says
 * {@code Transfer-Encoding: chunked}, as an HTTP/1.1 one would. The deadline then bounds a stream
 * that dribbles its request, and resets one whose client stops reading its answer (the stream's
 * {@link WriteProgress} comes from the connection's {@link WriteProgress.Credits}). A stream
 * whose unfinished request would pass the server's {@link FrontEndConfig#maxUnfinishedStreams}
 * is reset with {@code REFUSED_STREAM} at its head ({@link UnfinishedRequest}). A large answer
 * the transport copies (every one over TLS, a computed one on the heap) goes out in parts under
 * the server's {@link NodeSendBudget}, as on HTTP/1.1 ({@link BodyPump}): written whole, the flow
 * controller pushed it into the connection as fast as the socket took it, and each connection
 * of a client that opened its window and never read held its outbound buffer's worth of
 * encrypted or copied bytes that nothing counted. One per connection; runs on the connection's
 * event loop.
 */
final class Http2StreamInitializer extends ChannelInitializer<Channel> {

    /** Not {@link AltoChannelInitializer#HTTP_CODEC}: the raw {@code 100 Continue} bytes written there are HTTP/1.1 only. */
    static final String STREAM_CODEC = "h2-http";

    private final FrontEndConfig config;
    private final AltoService service;
    private final RequestObserver observer;
    private final ResponseRenderer renderer;
    private final RateLimitedLog warnings;
    private final Http2ConnectionGuard guard;
    private final WriteProgress.Credits credits;
    /** The server's places for streams whose request is unfinished ({@link FrontEndConfig#maxUnfinishedStreams}). */
    private final ConnectionLimit unfinished;
    /** The server's count of streams refused for want of such a place. */
    private final LongAdder unfinishedRefused;
    /** The server's bound on the bytes of answers sent in parts ({@link BodyPump}), shared with its HTTP/1.1 connections. */
    private final NodeSendBudget sends;
    /** The server's count of queries skipped because their stream was reset first ({@link ClientWait}). */
    private final LongAdder skipped;

    Http2StreamInitializer(FrontEndConfig config, AltoService service, RequestObserver observer,
                           ResponseRenderer renderer, RateLimitedLog warnings, Http2ConnectionGuard guard,
                           WriteProgress.Credits credits, ConnectionLimit unfinished, LongAdder unfinishedRefused,
                           NodeSendBudget sends, LongAdder skipped) {
        this.config = requireNonNull(config, "config");
        this.service = requireNonNull(service, "service");
        this.observer = requireNonNull(observer, "observer");
        this.renderer = requireNonNull(renderer, "renderer");
        this.warnings = requireNonNull(warnings, "warnings");
        this.guard = requireNonNull(guard, "guard");
        this.credits = requireNonNull(credits, "credits");
        this.unfinished = requireNonNull(unfinished, "unfinished");
        this.unfinishedRefused = requireNonNull(unfinishedRefused, "unfinishedRefused");
        this.sends = requireNonNull(sends, "sends");
        this.skipped = requireNonNull(skipped, "skipped");
    }

    @Override
    protected void initChannel(Channel stream) {
        ChannelPipeline p = stream.pipeline();
        WriteProgress progress = credits.track((Http2StreamChannel) stream);
        p.addLast(STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(true));
        p.addLast(UnfinishedRequest.NAME, new UnfinishedRequest(unfinished, unfinishedRefused));
        p.addLast(AltoChannelInitializer.DEADLINE, new RequestDeadline(config.idleTimeout().toNanos(), progress));
        p.addLast(AltoChannelInitializer.ASSEMBLER, new RequestAssembler(config, service, warnings, guard.bodies(), skipped));
        p.addLast(AltoChannelInitializer.EXCHANGE, new ExchangeHandler(service, renderer, observer, config, warnings, null, sends,
                guard));
        guard.opened(stream);
    }
}
