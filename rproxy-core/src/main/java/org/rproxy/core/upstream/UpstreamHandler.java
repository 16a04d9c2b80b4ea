package org.rproxy.core.upstream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upstream connection: hands the aggregated response to the connection's
 * current {@link UpstreamExchange}, copied into heap bytes so that no network buffer outlives
 * this call (the response is released by {@link SimpleChannelInboundHandler}). Fails the
 * exchange when the connection closes or breaks first. Runs on the connection's event loop.
 *
 * <p>Interim responses follow {@link InterimResponses}: a 1xx is skipped, a 101 (never asked for
 * here) fails the exchange.
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
        switch (InterimResponses.of(msg.status(), false)) {
            case SKIP -> {
                // the codec read it as a response without content: the final one follows on this
                // connection, and the exchange keeps waiting for it (its deadline still runs)
                LOG.debug("ignoring interim response {} on {}", msg.status(), ctx.channel());
                return;
            }
            case UNASKED_SWITCH, SWITCHED -> {
                // this client never asks to upgrade; what follows is another protocol (the codec
                // stops decoding HTTP after a 101): the exchange fails and the connection closes
                ex.fail(new UpstreamException(InterimResponses.unaskedSwitch(msg)));
                return;
            }
            case FINAL -> {
                // the answer, below
            }
        }
        List<HeaderField> headers = new ArrayList<>(msg.headers().size());
        for (Map.Entry<String, String> h : msg.headers()) {
            headers.add(new HeaderField(h.getKey(), h.getValue()));
        }
        byte[] body = ByteBufUtil.getBytes(msg.content());
        UpstreamResponse response = new UpstreamResponse(msg.status().code(), headers, Bytes.wrap(body));
        ex.succeed(response, HttpUtil.isKeepAlive(msg));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (ex != null) {
            ex.fail(new UpstreamException("upstream closed the connection before answering", null, true));
        }
        ctx.fireChannelInactive();
    }

    /**
     * A connection that breaks (an I/O error: reset, broken pipe) is gone as if closed, and may be
     * asked again like one ({@link UpstreamException#closedBeforeResponse()}): an upstream that
     * closes an idle connection while a request waits unread in its socket resets it instead of
     * closing it. Other failures (a response too large, a TLS error) are not.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (ex != null) {
            ex.fail(new UpstreamException("upstream connection failed: " + cause.getMessage(), cause,
                    cause instanceof IOException && !(cause instanceof SSLException)));
        } else if (!(cause instanceof IOException)) {
            LOG.warn("upstream connection {} failed", ctx.channel(), cause);
        }
        ctx.close();
    }
}
