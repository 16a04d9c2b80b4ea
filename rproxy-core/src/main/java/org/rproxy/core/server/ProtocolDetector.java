package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Tells an HTTP/2 connection from an HTTP/1.1 one by its first bytes. A client speaking HTTP/2
 * opens with the connection preface (RFC 9113 §3.4), whether it knew in advance (cleartext, "prior
 * knowledge") or chose {@code h2} by ALPN during the TLS handshake; any other first bytes are an
 * HTTP/1.1 request. Deciding on the bytes rather than on ALPN alone serves both cases with one
 * rule, and an ALPN-less TLS client that speaks HTTP/1.1 keeps working.
 *
 * <p>Holds at most the 24 bytes of the preface: it decides at the first byte that differs (so an
 * HTTP/1.1 request goes on at once, its bytes untouched) or when all 24 match; then, for HTTP/2,
 * it has the pipeline rebuilt, and removes itself, handing what it held to the next handler. One
 * per connection, on its event loop.
 */
final class ProtocolDetector extends ByteToMessageDecoder {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The bytes of the client's connection preface: a connection is HTTP/2 once they all match. */
    static final int PREFACE_LENGTH = PREFACE.length;

    private final Consumer<ChannelPipeline> toHttp2;

    /** @param toHttp2 turns the HTTP/1.1 pipeline behind this handler into an HTTP/2 one */
    ProtocolDetector(Consumer<ChannelPipeline> toHttp2) {
        this.toHttp2 = requireNonNull(toHttp2, "toHttp2");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int matched = prefaceMatched(in, 0);
        if (matched < 0) {
            ctx.pipeline().remove(this);
        } else if (matched == PREFACE.length) {
            toHttp2.accept(ctx.pipeline());
            ctx.pipeline().remove(this);
        }
    }

    /**
     * The rule itself, for a reader that holds no bytes ({@link OverloadResponder} drops what it
     * reads): how many of the preface's bytes match once {@code in}'s readable bytes (not
     * consumed) follow {@code matched} that matched before; {@code -1} at the first that differs.
     * The connection is HTTP/2 when this reaches {@link #PREFACE_LENGTH}.
     */
    static int prefaceMatched(ByteBuf in, int matched) {
        int n = Math.min(in.readableBytes(), PREFACE.length - matched);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[matched + i]) {
                return -1;
            }
        }
        return matched + n;
    }
}
