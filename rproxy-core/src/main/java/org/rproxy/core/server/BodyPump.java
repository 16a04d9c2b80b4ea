package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.RejectedExecutionException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;

/**
 * The body of one answer that the transport would copy whole for its connection (TLS encrypts
 * what is written into new buffers; a heap body is copied into direct memory), handed on in
 * parts of {@link #PART_BYTES}: each only while the connection (or the HTTP/2 stream, whose
 * writability counts its parts not yet through the connection's socket) is writable and the
 * server's {@link NodeSendBudget} has room. A reader that does not read then holds its write
 * buffer and a part, not the whole body, and all of them together the bound. A body the
 * transport writes as it is (a shared direct copy, a spooled file, on a plain connection) is no
 * pump's: it costs no memory per response.
 *
 * <p>Owns the body's reference until its last part is written or the connection is gone
 * ({@link #drop}). Each part's bytes are counted in the budget until its write ends, well or not.
 * One per answer, on the connection's event loop.
 */
final class BodyPump {

    /** A part: four TLS records' worth, so the transport's writes stay large. */
    static final int PART_BYTES = 64 * 1024;
    /** Bodies from this size on are pumped; a smaller one costs no more than a part. */
    static final int MIN_BYTES = PART_BYTES;

    private final ByteBuf body;
    private final NodeSendBudget budget;
    /** Run after the last part (the connection's close), or null. */
    private ChannelFutureListener afterLast;
    private boolean done;

    /** Takes over the reference of {@code body}, whose head is written already. */
    BodyPump(ByteBuf body, NodeSendBudget budget, ChannelFutureListener afterLast) {
        this.body = requireNonNull(body, "body");
        this.budget = requireNonNull(budget, "budget");
        this.afterLast = afterLast;
    }

    /**
     * Writes (and flushes) the parts there is room for now; true once the last part is written.
     * When the budget has no room, {@code again} is run on the connection's event loop once it has.
     */
    boolean pump(ChannelHandlerContext ctx, Runnable again) {
        boolean wrote = false;
        while (!done && ctx.channel().isWritable()) {
            if (!budget.hasRoom()) {
                budget.await(() -> onLoop(ctx, again));
                break;
            }
            int n = Math.min(PART_BYTES, body.readableBytes());
            ByteBuf part = body.readRetainedSlice(n);
            done = !body.isReadable();
            budget.sent(n);
            ChannelFuture written = ctx.write(done ? new DefaultLastHttpContent(part) : new DefaultHttpContent(part));
            written.addListener(f -> budget.written(n));
            if (done) {
                body.release();
                if (afterLast != null) {
                    written.addListener(afterLast);
                }
            }
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        return done;
    }

    /** The connection closes once the last part is written (the server stops, or the client closed its side). */
    void closeAfterLast() {
        if (afterLast == null) {
            afterLast = ChannelFutureListener.CLOSE;
        }
    }

    private static void onLoop(ChannelHandlerContext ctx, Runnable again) {
        try {
            ctx.executor().execute(again);
        } catch (RejectedExecutionException e) {
            // the event loop is shutting down, and the connection with it: nothing to write
        }
    }

    /** The connection is gone: the parts not written never will be. */
    void drop() {
        if (!done) {
            done = true;
            body.release();
        }
    }
}
