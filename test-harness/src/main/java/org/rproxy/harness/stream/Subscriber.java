package org.rproxy.harness.stream;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.stream.StreamFollower;

/**
 * One subscriber of the proxy's update stream, on one HTTP/2 stream: it feeds what arrives to a
 * {@link StreamFollower}, which rebuilds every update (full body, or merge patch applied to what
 * this subscriber holds, in RFC 8785 form), and accepts an update only when its own bytes match
 * the signed digest and the signature verifies ({@link SignatureChecks}), and when it is not older
 * than the version held (a rollback). It attaches once it holds a verified copy of every
 * substream. Runs on its connection's event loop; holds its documents and little else.
 */
final class Subscriber extends SimpleChannelInboundHandler<Http2StreamFrame> implements StreamFollower.Listener {
    /** The largest event accepted from the proxy. */
    private static final int MAX_EVENT = 8 << 20;

    private final Audience audience;
    private final int index;
    private final Runnable headSeen;
    private final StreamFollower follower;
    private final Map<String, Instant> created = new HashMap<>(4);
    private String timedTag;
    private boolean head;
    private boolean attached;
    private boolean ended;

    Subscriber(Audience audience, int index, Runnable headSeen) {
        this.audience = requireNonNull(audience, "audience");
        this.index = index;
        this.headSeen = requireNonNull(headSeen, "headSeen");
        this.follower = new StreamFollower(MAX_EVENT, audience.substreams(), this);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
        if (frame instanceof Http2HeadersFrame h && !head) {
            head = true;
            headSeen.run();
            CharSequence status = h.headers().status();
            if (status == null || !"200".contentEquals(status)) {
                ended = true;
                audience.refused("status " + status);
                ctx.close();
            }
        } else if (frame instanceof Http2DataFrame d && !ended) {
            feed(ctx, d.content());
            if (d.isEndStream() && !ended) {
                ended = true;
                audience.lost("the proxy ended the stream");
            }
        }
    }

    private void feed(ChannelHandlerContext ctx, ByteBuf c) {
        try {
            if (c.hasArray()) {
                follower.feed(c.array(), c.arrayOffset() + c.readerIndex(), c.readableBytes());
            } else {
                byte[] b = ByteBufUtil.getBytes(c);
                follower.feed(b, 0, b.length);
            }
        } catch (IllegalStateException e) {
            ended = true;
            audience.lost("bad event stream: " + e.getMessage());
            ctx.close();
        }
    }

    @Override
    public boolean onUpdate(String substream, Bytes body, StreamFollower.FieldLookup fields, boolean patched) {
        String path = audience.pathOf(substream);
        if (path == null) {
            return false;
        }
        Verdict v = audience.checks.check(path, fields, body.unsafeArray());
        if (v == null || !v.valid()) {
            audience.failed(substream + (v == null ? ": bytes do not match the signed digest" : ": " + v.reason()));
            return false;
        }
        Instant held = created.get(substream);
        if (held != null && v.created().isBefore(held)) {
            audience.failed(substream + ": rollback to " + v.created() + " from " + held);
            return false;
        }
        created.put(substream, v.created());
        if (substream.equals(audience.timed())) {
            timedTag = fields.get("etag");
        }
        if (!attached && created.size() == audience.substreamCount()) {
            attached = true;
            audience.attached(timedTag);
        }
        audience.applied(index, substream, fields.get("etag"), System.nanoTime());
        return true;
    }

    @Override
    public void onRejected(String substream, String reason) {
        audience.failed(substream + ": " + reason);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ended) {
            ended = true;
            audience.lost(head ? "stream reset" : "stream closed before its head");
            if (!head) {
                headSeen.run();
            }
        }
        ctx.fireChannelInactive();
    }
}
