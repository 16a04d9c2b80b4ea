package org.rproxy.core.server;

import java.util.List;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

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
                out.add(encoded.head());
                out.add(encoded.retainedBody()); // the message itself is released once encoded
                return;
            }
            super.encode(ctx, msg, out);
        }
    }
}
