package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.model.AltoError;

/**
 * Builds the pipeline of one accepted connection, one named step per method:
 *
 * <pre>
 *   socket-writes (SocketWrites) → first-byte (FirstByteDeadline) → [tls] → detect (ProtocolDetector) → http (Http1Codec)
 *         → deadline (RequestDeadline) → assembler (RequestAssembler) → exchange (ExchangeHandler)
 *                                                                          while under the limits
 *   [tls] → http (Http1Codec.Encoder) → overload (OverloadResponder)  beyond one
 * </pre>
 *
 * When the client opens with the HTTP/2 preface, everything after the detector is replaced by
 *
 * <pre>
 *   h2-error-close (Http2ErrorClose) → h2-flush (FlushConsolidationHandler) → h2 (Http2FrameCodec) → h2-credits (WriteProgress.Credits)
 *         → h2-streams (Http2MultiplexHandler)
 *         → h2-connection (Http2ConnectionGuard)
 * </pre>
 *
 * and each stream gets the pipeline of {@link Http2StreamInitializer}, which ends in the same
 * assembler and exchange, so a request is handled the same way whichever protocol carried it.
 * The flush step matters for event streams: the service writes each stream's events from its own
 * thread, and every write ends in a flush; unconsolidated, a change sent to a thousand streams
 * of one connection would be a thousand socket writes instead of a few. TLS offers {@code h2}
 * and {@code http/1.1} by ALPN (see {@code Tls}). The codec bounds what one HTTP/2 connection
 * may make the node do (resets, small CONTINUATIONs, queued control frames, empty DATA frames:
 * the {@code HTTP2_MAX_*} constants) and ends it with GOAWAY past a bound; the connection then
 * lingers behind its GOAWAY ({@link Http2ErrorClose}) so that a client still sending reads it. A connection beyond
 * a limit is refused in the protocol its first bytes (or ALPN) show: HTTP/1.1 503, or for an HTTP/2
 * client SETTINGS and GOAWAY ({@link OverloadResponder}).
 *
 * <p>The connection takes its place in the {@link ConnectionLimit} here, whatever its protocol
 * and however many streams it carries, and one among its client's ({@link AddressLimit}, asked
 * first, so that a client past its own limit takes no node-wide place even for a moment), and
 * gives both back when it closes, however it closes; its request bodies take
 * their bytes from the server's {@link NodeBodyBudget}, through a {@link BodyBudget} of its own. The decoder's header sections are {@link ReceivedHeaders}, so that {@link HeadRules}
 * can see a dropped {@code Content-Length}. Shared by all connections of a server; runs on each
 * connection's event loop.
 */
final class AltoChannelInitializer extends ChannelInitializer<Channel> {

    static final String FIRST_BYTE = "first-byte";
    static final String TLS = "tls";
    static final String DETECT = "detect";
    static final String HTTP2_ERROR_CLOSE = "h2-error-close";
    static final String HTTP2_FLUSH = "h2-flush";
    static final String HTTP2_CODEC = "h2";
    static final String HTTP2_CREDITS = "h2-credits";
    static final String HTTP2_STREAMS = "h2-streams";
    static final String HTTP2_CONNECTION = "h2-connection";
    static final String HTTP_CODEC = "http";
    static final String DEADLINE = "deadline";
    static final String ASSEMBLER = "assembler";
    static final String EXCHANGE = "exchange";
    static final String OVERLOAD = "overload";

    /** Refused connections that may wait at once for their first bytes, or for their client to read the refusal and leave. */
    static final int MAX_LINGERING = 256;
    /** RFC 9113 §7: the GOAWAY codes of an HTTP/2 client refused for its address's excess, and for the node's. */
    static final long ENHANCE_YOUR_CALM = 0xb;
    static final long REFUSED_STREAM = 0x7;
    /** How often one kind of front-end warning may be written; the ones between are counted. */
    private static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);
    /** Body pieces handed up by the decoder; the limit on the whole body is separate. */
    private static final int MAX_CHUNK_SIZE = 16 * 1024;
    /*
     * What one HTTP/2 connection may make the node do before it is ended with GOAWAY
     * (ENHANCE_YOUR_CALM): Netty 4.2's defaults, set here so that a Netty upgrade cannot change
     * them unseen (Http2FloodTest shows each). Rapid reset (CVE-2023-44487): RST_STREAMs received,
     * and ones the client makes the server send ("MadeYouReset", CVE-2025-8671), per window.
     */
    static final int HTTP2_MAX_RESETS = 200;
    static final int HTTP2_RESET_WINDOW_SECONDS = 30;
    /** CONTINUATION floods (CVE-2024-27316): CONTINUATIONs under 8 KiB in a row, END_HEADERS not set. */
    static final int HTTP2_MAX_SMALL_CONTINUATIONS = 16;
    /** Acknowledgements (PING, SETTINGS) and resets queued for a client that does not read (CVE-2019-9512, -9515). */
    static final int HTTP2_MAX_QUEUED_CONTROL_FRAMES = 10_000;
    /** Empty DATA frames in a row without END_STREAM (CVE-2019-9518). */
    static final int HTTP2_MAX_EMPTY_DATA_FRAMES = 2;

    private final FrontEndConfig config;
    private final AltoService service;
    private final RequestObserver observer;
    private final ResponseRenderer renderer;
    private final ConnectionLimit limit;
    /** The connections served at once per client address ({@link FrontEndConfig#maxConnectionsPerAddress}). */
    private final AddressLimit perAddress;
    /** The request-body bytes all connections may hold at once while bodies arrive. */
    private final NodeBodyBudget bodies;
    /** The bytes of answers sent in parts that all connections may have pending at once ({@link BodyPump}). */
    private final NodeSendBudget sends;
    /** The answers all HTTP/2 streams may hold at once ({@link AnswerTurns}). */
    private final NodeAnswerPlaces answers;
    private final ConnectionLimit lingering = new ConnectionLimit(MAX_LINGERING);
    /** HTTP/2 streams whose request is still arriving, over all connections ({@link UnfinishedRequest}). */
    private final ConnectionLimit unfinished;
    /** HTTP/2 streams refused at their head for want of a place among {@link #unfinished}. */
    private final LongAdder unfinishedRefused = new LongAdder();
    /** Queries skipped because their client had left before their turn came ({@link ClientWait}). */
    private final LongAdder skipped = new LongAdder();
    private final RateLimitedLog warnings = new RateLimitedLog(WARNING_INTERVAL);

    /** With a body budget of its own, of the configured size. */
    AltoChannelInitializer(FrontEndConfig config, AltoService service, RequestObserver observer,
                           ResponseRenderer renderer, ConnectionLimit limit) {
        this(config, service, observer, renderer, limit, new NodeBodyBudget(config.effectiveMaxBodyBytesHeld()),
                new NodeSendBudget(config.effectiveMaxPendingSendBytes()), new NodeAnswerPlaces(config.effectiveMaxAnswersHeld()));
    }

    /** @param bodies the server's, shared by all its connections; {@code sends} and {@code answers} likewise */
    AltoChannelInitializer(FrontEndConfig config, AltoService service, RequestObserver observer, ResponseRenderer renderer,
                           ConnectionLimit limit, NodeBodyBudget bodies, NodeSendBudget sends, NodeAnswerPlaces answers) {
        this.config = requireNonNull(config, "config");
        this.service = requireNonNull(service, "service");
        this.observer = requireNonNull(observer, "observer");
        this.renderer = requireNonNull(renderer, "renderer");
        this.limit = requireNonNull(limit, "limit");
        this.bodies = requireNonNull(bodies, "bodies");
        this.sends = requireNonNull(sends, "sends");
        this.answers = requireNonNull(answers, "answers");
        this.unfinished = new ConnectionLimit(config.maxUnfinishedStreams());
        this.perAddress = new AddressLimit(config.maxConnectionsPerAddress());
    }

    /** The connections served per client address, and those refused for it. */
    AddressLimit perAddress() {
        return perAddress;
    }

    /** The answers all HTTP/2 streams may hold at once, and hold now. */
    NodeAnswerPlaces answers() {
        return answers;
    }

    /** HTTP/2 streams refused so far because the server's unfinished requests had every place ({@link UnfinishedRequest}). */
    long unfinishedStreamsRefused() {
        return unfinishedRefused.sum();
    }

    /** Queries skipped so far because their client had left before their turn came ({@link ClientWait}). */
    long queriesSkipped() {
        return skipped.sum();
    }

    /** HTTP/2 streams whose request is still arriving now, over all connections: the places taken ({@link UnfinishedRequest}). */
    int unfinishedStreams() {
        return unfinished.open();
    }

    int maxUnfinishedStreams() {
        return config.maxUnfinishedStreams();
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        AddressLimit.Place place = perAddress.tryAcquire(ch.remoteAddress());
        if (place == null) {
            refuse(ch, p, FrontEndErrors.tooManyFromAddress(config.maxConnectionsPerAddress()), ENHANCE_YOUR_CALM);
            return;
        }
        if (!limit.tryAcquire()) {
            place.release();
            refuse(ch, p, FrontEndErrors.overloaded(), REFUSED_STREAM);
            return;
        }
        ch.closeFuture().addListener(f -> {
            limit.release();
            place.release();
        });
        p.addLast(SocketWrites.NAME, new SocketWrites()); // first: every message reaches the transport through it
        addFirstByteDeadline(p);
        addTls(ch, p);
        p.addLast(DETECT, new ProtocolDetector(this::switchToHttp2));
        addHttpCodec(p);
        addDeadline(p);
        addAssembler(p);
        addExchange(p);
    }

    /** Replaces the HTTP/1.1 handlers (none has seen a byte yet) by the HTTP/2 connection's. */
    private void switchToHttp2(ChannelPipeline p) {
        p.remove(HTTP_CODEC);
        p.remove(DEADLINE);
        p.remove(ASSEMBLER);
        p.remove(EXCHANGE);
        Http2ErrorClose errorClose = new Http2ErrorClose();
        Http2ConnectionGuard guard = new Http2ConnectionGuard(config.idleTimeout().toNanos(), config.drainTimeout(),
                BodyBudget.perConnection(config.maxBodyBytes(), bodies), answers, warnings);
        p.addLast(HTTP2_ERROR_CLOSE, errorClose);
        p.addLast(HTTP2_FLUSH, new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
                true));
        WriteProgress.ConnectionCredit connectionCredit = new WriteProgress.ConnectionCredit();
        Http2FrameCodec codec = http2Codec(connectionCredit);
        errorClose.watch(codec.connection());
        WriteProgress.Credits credits = new WriteProgress.Credits(codec.connection(), connectionCredit);
        p.addLast(HTTP2_CODEC, codec);
        p.addLast(HTTP2_CREDITS, credits);
        p.addLast(HTTP2_STREAMS, new Http2MultiplexHandler(
                new Http2StreamInitializer(config, service, observer, renderer, warnings, guard, credits, unfinished,
                        unfinishedRefused, sends, skipped)));
        p.addLast(HTTP2_CONNECTION, guard);
    }

    /** @param connectionCredit counts the connection's WINDOW_UPDATEs, which only the frame reader sees (its logger) */
    private Http2FrameCodec http2Codec(WriteProgress.ConnectionCredit connectionCredit) {
        return Http2FrameCodecBuilder.forServer()
                .frameLogger(connectionCredit)
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(config.maxStreams())
                        .maxHeaderListSize(config.maxHeaderBytes()))
                .gracefulShutdownTimeoutMillis(config.drainTimeout().toMillis()) // streams after GOAWAY: the stop's drain
                .decoderEnforceMaxRstFramesPerWindow(HTTP2_MAX_RESETS, HTTP2_RESET_WINDOW_SECONDS)
                .encoderEnforceMaxRstFramesPerWindow(HTTP2_MAX_RESETS, HTTP2_RESET_WINDOW_SECONDS)
                .decoderEnforceMaxSmallContinuationFrames(HTTP2_MAX_SMALL_CONTINUATIONS)
                .encoderEnforceMaxQueuedControlFrames(HTTP2_MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(HTTP2_MAX_EMPTY_DATA_FRAMES)
                .build();
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
        p.addLast(HTTP_CODEC, new Http1Codec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setHeadersFactory(ReceivedHeaders.FACTORY)));
    }

    private void addDeadline(ChannelPipeline p) {
        p.addLast(DEADLINE, new RequestDeadline(config.idleTimeout().toNanos()));
    }

    private void addAssembler(ChannelPipeline p) {
        // one body arriving at a time, but pipelined requests wait with theirs: a bound of the connection's own
        p.addLast(ASSEMBLER, new RequestAssembler(config, service, warnings,
                BodyBudget.perConnection(config.maxBodyBytes(), bodies), skipped));
    }

    private void addExchange(ChannelPipeline p) {
        // sendfile only where the bytes go to the socket as they are: not through TLS, not in HTTP/2 frames.
        p.addLast(EXCHANGE, new ExchangeHandler(service, renderer, observer, config, warnings,
                config.sslContext() == null ? config.spool() : null, sends, null));
    }

    /**
     * Refuses the connection in its client's protocol ({@link OverloadResponder}), and closes it.
     * One that finds no place among the refused connections (a flood) is not kept waiting for its
     * first bytes: a cleartext one is answered 503 at once, a TLS one closed before its handshake,
     * whose key exchange and signature would be the dearest thing the node does for it.
     *
     * @param goAwayCode what an HTTP/2 client is told (RFC 9113 §7): its own excess, or the node's
     */
    private void refuse(Channel ch, ChannelPipeline p, AltoError error, long goAwayCode) {
        boolean waits = ch instanceof DuplexChannel && lingering.tryAcquire();
        if (waits) {
            ch.closeFuture().addListener(f -> lingering.release());
        } else if (config.sslContext() != null) {
            ch.close();
            return;
        }
        addTls(ch, p);
        p.addLast(HTTP_CODEC, new Http1Codec.Encoder()); // writes the 503; what the client sends reaches the responder as bytes
        p.addLast(OVERLOAD, new OverloadResponder(renderer, observer, warnings, error, goAwayCode, waits,
                config.effectiveFirstByteTimeout().toNanos()));
    }
}
