package org.rproxy.core.upstream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upstream connection: hands the aggregated response to the connection's
 * current {@link UpstreamExchange}, copied into heap bytes so that no network buffer
 * outlives this call (the response is released by {@link SimpleChannelInboundHandler}). Interim
 * (1xx) responses are skipped, not taken for the answer. Fails the exchange when the connection
 * closes or breaks first. Runs on the connection's event loop.
 */
final class UpstreamHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (ex == null) {
            LOG.debug("response without a request on {}; closing", ctx.channel());
            ctx.close();
            return;
        }
        if (msg.decoderResult().isFailure()) {
            ex.fail(new UpstreamException("malformed response: " + msg.decoderResult().cause(), msg.decoderResult().cause()));
            return;
        }
        if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            interim(ctx, ex, msg);
            return;
        }
        List<HeaderField> headers = new ArrayList<>(msg.headers().size());
        for (Map.Entry<String, String> h : msg.headers()) {
            headers.add(new HeaderField(h.getKey(), h.getValue()));
        }
        byte[] body = ByteBufUtil.getBytes(msg.content());
        UpstreamResponse response = new UpstreamResponse(msg.status().code(), headers, Bytes.wrap(body));
        ex.succeed(response, HttpUtil.isKeepAlive(msg));
    }

    /**
     * A 1xx before the final response (RFC 9110 §15.2): not the answer. The codec reads it as a
     * response without content, so the final one follows on the same connection and the exchange
     * keeps waiting for it (its deadline still runs). 101 would switch protocols, which this client
     * never asks for: the exchange fails and the connection is closed (what follows a 101 is
     * another protocol; the codec stops decoding HTTP after one).
     */
    private static void interim(ChannelHandlerContext ctx, UpstreamExchange ex, FullHttpResponse msg) {
        if (msg.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            ex.fail(new UpstreamException("upstream answered " + msg.status() + " (upgrade to '"
                    + msg.headers().get(HttpHeaderNames.UPGRADE, "") + "') though no upgrade was asked for"));
            return;
        }
        LOG.debug("ignoring interim response {} on {}", msg.status(), ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (ex != null) {
            ex.fail(new UpstreamException("upstream closed the connection before answering", null, true));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (ex != null) {
            ex.fail(new UpstreamException("upstream connection failed: " + cause.getMessage(), cause));
        } else if (!(cause instanceof IOException)) {
            LOG.warn("upstream connection {} failed", ctx.channel(), cause);
        }
        ctx.close();
    }
}
