package org.rproxy.core.upstream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upstream connection: reads each response's head and content as the codec
 * decodes them, copies the content into one heap array as it comes ({@link ReceivedBody}: each
 * network buffer is released right after its bytes are copied, by
 * {@link SimpleChannelInboundHandler}, so no response is held twice), and hands the whole
 * response to the connection's current {@link UpstreamExchange}. A body over the limit fails the
 * exchange as soon as it is declared or passes the limit. Fails the exchange when the connection
 * closes or breaks first. Runs on the connection's event loop; one per connection.
 *
 * <p>Interim responses follow {@link InterimResponses}: a 1xx is skipped, a 101 (never asked for
 * here) fails the exchange.
 */
final class UpstreamHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);

    private final String upstream;
    private final int maxBody;
    /** The exchange whose response is being received, or null between responses. */
    private UpstreamExchange receiving;
    private HttpResponse head;
    private ReceivedBody body;
    /** True from an interim response's head to its (empty) end. */
    private boolean interim;

    /**
     * @param upstream the upstream's {@code host:port}, for messages
     * @param maxBody  the largest response body accepted
     */
    UpstreamHandler(String upstream, int maxBody) {
        this.upstream = upstream;
        this.maxBody = maxBody;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            forget();
            if (ex != null) {
                // a connection closed in the middle of the head is no answer, as one closed before it
                ex.fail(cause instanceof PrematureChannelClosureException
                        ? new UpstreamException("upstream " + upstream + " closed the connection in the middle of its answer: "
                                + cause.getMessage(), cause)
                        : UpstreamException.unusable("malformed response from " + upstream + ": " + cause, cause));
            } else {
                UpstreamExchange.close(ctx.channel());
            }
            return;
        }
        if (msg instanceof HttpResponse response && !head(ctx, ex, response)) {
            return;
        }
        if (msg instanceof HttpContent content) {
            content(ex, content);
        }
    }

    /** A response's head; false when nothing more of the message is to be read here. */
    private boolean head(ChannelHandlerContext ctx, UpstreamExchange ex, HttpResponse response) {
        forget();
        if (ex == null) {
            LOG.debug("response without a request on {}; closing", ctx.channel());
            UpstreamExchange.close(ctx.channel());
            return false;
        }
        switch (InterimResponses.of(response.status(), false)) {
            case SKIP -> {
                // the codec reads it as a response without content: the final one follows on this
                // connection, and the exchange keeps waiting for it (its deadline still runs)
                LOG.debug("ignoring interim response {} on {}", response.status(), ctx.channel());
                interim = true;
                return true;
            }
            case UNASKED_SWITCH, SWITCHED -> {
                // this client never asks to upgrade; what follows is another protocol (the codec
                // stops decoding HTTP after a 101): the exchange fails and the connection closes
                ex.fail(UpstreamException.unusable(InterimResponses.unaskedSwitch(response), null));
                return false;
            }
            case FINAL -> {
                // the answer, below
            }
        }
        int status = response.status().code();
        // a 304's content-length describes the representation, not this message (RFC 9110 §8.6)
        long declared = status == 204 || status == 304 ? 0 : HttpUtil.getContentLength(response, -1L);
        if (declared > maxBody) {
            ex.fail(tooLarge(declared + " bytes declared"));
            return false;
        }
        receiving = ex;
        head = response;
        body = new ReceivedBody(declared, maxBody);
        return true;
    }

    /** A piece of content: copied (and then released by the caller); the last one completes the exchange. */
    private void content(UpstreamExchange ex, HttpContent content) {
        if (interim) {
            interim = !(content instanceof LastHttpContent);
            return;
        }
        if (receiving == null) {
            return; // the rest of a response whose exchange has failed: the connection is closing
        }
        if (receiving != ex) {
            forget(); // its exchange ended meanwhile (its deadline passed)
            return;
        }
        if (!body.append(content.content())) {
            forget();
            ex.fail(tooLarge("over " + maxBody + " bytes"));
            return;
        }
        if (content instanceof LastHttpContent) {
            List<HeaderField> headers = new ArrayList<>(head.headers().size());
            for (Map.Entry<String, String> h : head.headers()) {
                headers.add(new HeaderField(h.getKey(), h.getValue()));
            }
            UpstreamResponse response = new UpstreamResponse(head.status().code(), headers, body.bytes(), upstream);
            boolean keepAlive = HttpUtil.isKeepAlive(head);
            forget();
            ex.succeed(response, keepAlive);
        }
    }

    private UpstreamException tooLarge(String what) {
        return UpstreamException.unusable("upstream " + upstream + " sent a body of " + what + " (expected: at most "
                + maxBody + " bytes, its max-body)", null);
    }

    /** Drops what was received of the current response. */
    private void forget() {
        receiving = null;
        head = null;
        body = null;
        interim = false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        forget();
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (ex != null) {
            ex.fail(new UpstreamException("upstream " + upstream + " closed the connection before answering", null, true));
        }
        ctx.fireChannelInactive();
    }

    /**
     * A connection that breaks (an I/O error: reset, broken pipe) is gone as if closed, and may be
     * asked again like one ({@link UpstreamException#closedBeforeResponse()}): an upstream that
     * closes an idle connection while a request waits unread in its socket resets it instead of
     * closing it. Other failures (a TLS error) are not.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        forget();
        UpstreamExchange ex = ctx.channel().attr(UpstreamExchange.EXCHANGE).get();
        if (ex != null) {
            ex.fail(new UpstreamException("connection to upstream " + upstream + " failed: "
                    + TransportFailures.reason(cause), cause, cause instanceof IOException && !(cause instanceof SSLException)));
        } else if (TransportFailures.tls(cause) != null) {
            // a failed handshake: the request waiting for it fails with these words (RequestWriter)
            LOG.debug("upstream connection {} failed", ctx.channel(), cause);
        } else if (!(cause instanceof IOException)) {
            LOG.warn("upstream connection {} failed: {}", ctx.channel(), TransportFailures.reason(cause));
            LOG.debug("upstream connection {} failed", ctx.channel(), cause);
        }
        UpstreamExchange.close(ctx.channel());
    }
}
