package org.rproxy.core.server;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.ReferenceCounted;

import org.rproxy.core.store.Variant;

/**
 * The HTTP/1.1 server codec: Netty's request decoder, and its response encoder taught one more
 * message, an {@link EncodedResponse}, whose head was encoded once for all the responses that
 * share it and goes out as it is, followed by its body.
 *
 * <p>In place of {@code HttpServerCodec}, whose encoder is private and pairs every response with
 * its request's method in a queue (a response it did not encode would put the queue out of step).
 * That pairing is not needed here: the front end never answers {@code CONNECT}, and its answers to
 * {@code HEAD} carry no body to leave out ({@link ResponseRenderer}).
 */
final class Http1Codec extends CombinedChannelDuplexHandler<HttpRequestDecoder, Http1Codec.Encoder> {

    Http1Codec(HttpDecoderConfig config) {
        init(new HttpRequestDecoder(config), new Encoder());
    }

    /** Netty's response encoder, which also writes an {@link EncodedResponse} as it is. */
    static final class Encoder extends HttpResponseEncoder {
        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return msg instanceof EncodedResponse || super.acceptOutboundMessage(msg);
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof EncodedResponse encoded) {
                // Between two responses the encoder is at rest: nothing of its own to finish.
                // HttpObjectEncoder.write releases no message after encode (its encode releases
                // what it takes), so the message's reference, its body's, goes on with the body.
                ReferenceCounted body = encoded.body();
                if (body instanceof ByteBuf small && !small.isDirect() && small.readableBytes() < Variant.DIRECT_MIN_BYTES) {
                    try {
                        out.add(together(ctx, encoded.head(), small));
                    } finally {
                        small.release();
                    }
                    return;
                }
                out.add(encoded.head());
                out.add(body);
                return;
            }
            super.encode(ctx, msg, out);
        }

        /**
         * The head and a small body from the heap, copied into one direct buffer: the channel
         * would otherwise copy the body into a direct buffer of its own on every write (only a
         * body of {@link Variant#DIRECT_MIN_BYTES} or more has a direct copy to write from), and
         * the two would go out as two pieces. The copy of the head costs less than that second
         * buffer; Netty's encoder puts a small body into the head's buffer likewise.
         */
        private static ByteBuf together(ChannelHandlerContext ctx, ByteBuf head, ByteBuf body) {
            ByteBuf whole = ctx.alloc().directBuffer(head.readableBytes() + body.readableBytes());
            whole.writeBytes(head, head.readerIndex(), head.readableBytes());
            whole.writeBytes(body, body.readerIndex(), body.readableBytes());
            return whole;
        }
    }
}
