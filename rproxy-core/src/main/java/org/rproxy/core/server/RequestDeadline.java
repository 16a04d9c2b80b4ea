package org.rproxy.core.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Ticker;

/**
 * Closes a connection, without a response, that the client keeps open without making progress
 * (RFC 9112 §9.5): idle between requests, or sending a request head or body too slowly
 * (slowloris). A read of a few bytes does not restart the clock; only whole steps do.
 *
 * <p>The clock runs while the connection is idle (from accept, or from the moment the last answer
 * has been fully written) until a request head is complete, and again from the head until the
 * body is complete. It stops while the server owes answers, since a slow service is not the
 * client's fault; but an answer handed to the socket that the client does not read is, so the
 * clock runs again while a written answer waits in the outbound buffer, and a period ends the
 * connection only when not a byte of it went out during that period (as nginx's
 * {@code send_timeout}): a client that reads a 5 MB map slowly keeps its connection, however
 * long the whole takes; one that never reads gives it back, with its buffers, after one
 * timeout ({@link WriteProgress} says what counts as progress on a connection and on an HTTP/2
 * stream; a stalled stream is reset, since its answer's END_STREAM is already on its way and a
 * close alone would leave its DATA queued for a window that never opens; and when not a byte of its
 * whole connection went out either, the connection is closed at once, since its client reads none
 * of its streams and every answer on it would wait its own period). An answer is whole once its last content is written: a
 * full response, one whose shared head was encoded already, or the end of one written in parts
 * (head, a spooled file, last content). Event streams are exempt: their writer has its own
 * backpressure rules. Sits right after the HTTP codec; one per connection, on its event loop;
 * the timer is cancelled when the connection closes.
 */
final class RequestDeadline extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    /** The one pending check, if any: it closes the connection, looks again later, or does nothing. */
    private ScheduledFuture<?> timer;
    /** Whether the clock runs, and until when (the event loop's ticker, in nanoseconds). */
    private boolean armed;
    private long deadlineNanos;
    private boolean reading;
    private int unanswered;
    /** Whole answers written to the channel whose bytes have not all reached the socket yet. */
    private int unsent;
    /** Between the head of an answer written in parts and its last content. */
    private boolean inParts;
    private WriteProgress progress;

    /** For an HTTP/1.1 connection, whose progress is its outbound buffer's. */
    RequestDeadline(long timeoutNanos) {
        this(timeoutNanos, null);
    }

    /** For an HTTP/2 stream, with the stream's {@link WriteProgress}. */
    RequestDeadline(long timeoutNanos, WriteProgress progress) {
        this.timeoutNanos = timeoutNanos;
        this.progress = progress;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ticker = ctx.executor().ticker();
        if (progress == null) {
            progress = WriteProgress.of(ctx.channel());
        }
        if (ctx.channel().isActive()) {
            restart();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        restart();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            reading = true;
            unanswered++;
            restart();
        }
        if (msg instanceof LastHttpContent) {
            reading = false;
            settle();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean head = startsParts(msg);
        boolean end = endsAnswer(msg);
        boolean first = false;
        if (head || end && !inParts) {
            first = unsent++ == 0;
            if (first) {
                restart();
            }
        }
        if (head) {
            inParts = true;
        }
        if (end) {
            inParts = false;
            promise = promise.unvoid();
            promise.addListener(f -> {
                unsent--;
                unanswered--;
                settle();
            });
        }
        ctx.write(msg, promise);
        if (first) {
            progress.movedSinceLastLook(); // the period's baseline includes the answer just queued
        }
    }

    /**
     * True for the head of an answer written in parts (a body from a file, or one handed on as
     * the client takes it, {@link BodyPump}): the answer waits for the client from its head on,
     * so a client that never reads the first parts gives its connection back as one that never
     * reads a whole answer does.
     */
    private static boolean startsParts(Object msg) {
        return msg instanceof HttpResponse response && !(msg instanceof LastHttpContent)
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL;
    }

    /**
     * True for the last message of an answer: a full response, the last content after a head
     * written in parts (a body sent from a file), or a 200 whose shared head was encoded already
     * ({@link EncodedResponse}: head and body in one message, which is no {@code LastHttpContent};
     * missing it left the answer owed for good, and the connection without a clock). Never an
     * interim (1xx) response.
     */
    private static boolean endsAnswer(Object msg) {
        if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return false;
        }
        return msg instanceof LastHttpContent || msg instanceof EncodedResponse;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (unsent > 0 && ctx.channel().isWritable()) {
            restart();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    /**
     * Idle: a fresh period. Reading: keep the period started at the head. An answer waiting for the
     * client to read it: keep the period it started. Owing answers only: none.
     */
    private void settle() {
        if (reading || unsent > 0) {
            return;
        }
        if (unanswered <= 0) {
            restart();
        } else {
            cancel();
        }
    }

    /**
     * A fresh period from now. The clock moves several times per request, so it only moves a
     * deadline: a check is scheduled when none is pending, and one that finds the deadline moved
     * on schedules itself again for the time left (one scheduled task per connection and period,
     * not a schedule and a cancel per step).
     */
    private void restart() {
        if (!ctx.channel().isActive()) {
            armed = false;
            return;
        }
        deadlineNanos = ticker.nanoTime() + timeoutNanos;
        armed = true;
        if (unsent > 0) {
            progress.movedSinceLastLook(); // only a period with an answer waiting asks for progress
        }
        if (timer == null) {
            timer = ctx.executor().schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops the clock; a pending check will find it stopped. */
    private void cancel() {
        armed = false;
    }

    /** The connection is gone: the pending check, if any, is dropped. */
    private void stop() {
        armed = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (!armed) {
            return;
        }
        long left = deadlineNanos - ticker.nanoTime();
        if (left > 0) {
            timer = ctx.executor().schedule(this::check, left, TimeUnit.NANOSECONDS);
            return;
        }
        if (unsent > 0 && progress.movedSinceLastLook()) {
            // a slow reader, not a stalled one: a fresh period
            deadlineNanos = ticker.nanoTime() + timeoutNanos;
            timer = ctx.executor().schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
            return;
        }
        armed = false;
        if (unsent > 0 && ctx.channel() instanceof Http2StreamChannel stream) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
            if (progress.connectionStalled()) {
                // nothing of the connection went out: its client reads none of its streams, and a GOAWAY
                // would wait behind the rest; closed at once, past the codec's graceful wait for its streams
                stream.parent().pipeline().firstContext().close();
            }
        }
        ctx.close();
    }
}
