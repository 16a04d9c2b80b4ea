package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import org.rproxy.core.model.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one {@link Reply.Stream}: the {@code 200 text/event-stream} head, then each piece the
 * service sends as a chunk (HTTP/1.1) or as raw bytes up to the close (HTTP/1.0), heartbeat
 * comments in silences, and the last chunk and a close at the end. On an HTTP/2 stream the
 * stream's codec makes DATA frames of the same pieces and ends the stream instead of the
 * connection; a write then completes when the stream's flow-control window let it out.
 *
 * <p>Callers write from any thread; each write is handed to the event loop, where the buffer is
 * made (wrapping, never copying, the caller's bytes) and written, so no buffer exists outside the
 * loop and none can leak when the loop refuses the task. The bytes in flight are counted from the
 * call to the end of the socket write, which gives the writability signal, and each send's size
 * is told to the {@link #onWritten} callback at that end (or when the stream ended before it).
 * The heartbeat timer lives on the event loop and is cancelled when the stream ends, however it
 * ends.
 */
final class EventStreamWriter implements StreamSink {

    /** Bytes in flight beyond which the sink says it is not writable. */
    static final long WINDOW_BYTES = 256 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(EventStreamWriter.class);
    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChannelHandlerContext ctx;
    private final long heartbeatNanos;
    private final InFlightBytes pending = new InFlightBytes(WINDOW_BYTES);
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final List<Runnable> closeCallbacks = new CopyOnWriteArrayList<>();
    private volatile Runnable writableCallback;
    private volatile LongConsumer writtenCallback;
    private ScheduledFuture<?> heartbeat;
    private long lastWriteNanos;

    /** nginx's per-response switch for buffering a proxied answer. */
    static final String ACCEL_BUFFERING = "x-accel-buffering";

    EventStreamWriter(ChannelHandlerContext ctx, long heartbeatNanos) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.heartbeatNanos = heartbeatNanos;
    }

    /** The response head for this stream; connection-close always, chunked unless HTTP/1.0. */
    static HttpResponse head(boolean http10) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        // nginx in between (proxy_buffering on, its default) would otherwise read the stream as
        // fast as the node writes, into memory and temporary files of up to 1 GB, whatever the
        // subscriber reads: the node's backlog bound and stall timeout would never see a slow
        // subscriber. nginx honours this field per response and does not pass it on.
        h.set(ACCEL_BUFFERING, "no");
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (!http10) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return response;
    }

    /** Starts the heartbeat; on the event loop, after the head was written. */
    void start() {
        lastWriteNanos = ctx.executor().ticker().nanoTime();
        beatIn(heartbeatNanos);
    }

    private void beatIn(long nanos) {
        heartbeat = ctx.executor().schedule(this::beat, nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean send(Bytes... parts) {
        requireNonNull(parts, "parts");
        if (!open.get()) {
            return false;
        }
        long size = 0;
        for (Bytes p : parts) {
            size += p.length();
        }
        long n = size;
        pending.add(n);
        if (!onLoop(() -> write(parts, n))) {
            pending.undo(n);
            return false;
        }
        return true;
    }

    private void write(Bytes[] parts, long size) {
        if (!open.get() || !ctx.channel().isActive()) {
            written(size);
            return;
        }
        byte[][] arrays = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            arrays[i] = parts[i].unsafeArray();
        }
        ByteBuf buf = Unpooled.wrappedBuffer(arrays);
        lastWriteNanos = ctx.executor().ticker().nanoTime();
        ctx.writeAndFlush(new DefaultHttpContent(buf)).addListener(f -> written(size));
    }

    private void written(long size) {
        LongConsumer w = writtenCallback;
        if (w != null) {
            try {
                w.accept(size);
            } catch (RuntimeException e) {
                LOG.warn("stream callback failed", e);
            }
        }
        if (pending.drained(size) && open.get()) {
            Runnable r = writableCallback;
            if (r != null) {
                run(r);
            }
        }
    }

    /**
     * Writes a heartbeat when nothing was written for {@code heartbeat}, and comes back when that
     * much silence would have passed, so no silence lasts longer: at a fixed rate, a write just
     * after a tick made the next tick skip, and the stream stayed silent for nearly two heartbeats,
     * the push feed's default read timeout, which then took a quiet stream for a dead one.
     */
    private void beat() {
        if (!open.get()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        long silent = now - lastWriteNanos;
        if (silent >= heartbeatNanos && pending.get() == 0) {
            lastWriteNanos = now;
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(HEARTBEAT)));
            silent = 0;
        }
        // bytes still in flight: the reader is busy with them; look again a heartbeat on
        beatIn(silent >= heartbeatNanos ? heartbeatNanos : heartbeatNanos - silent);
    }

    @Override
    public boolean isWritable() {
        return open.get() && pending.belowWindow();
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    @Override
    public long pendingBytes() {
        return pending.get();
    }

    @Override
    public SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    @Override
    public void onWritable(Runnable callback) {
        writableCallback = requireNonNull(callback, "callback");
    }

    @Override
    public void onWritten(LongConsumer callback) {
        writtenCallback = requireNonNull(callback, "callback");
    }

    @Override
    public void onClose(Runnable callback) {
        requireNonNull(callback, "callback");
        closeCallbacks.add(callback);
        if (!open.get() && closeCallbacks.remove(callback)) {
            run(callback);
        }
    }

    @Override
    public void close() {
        if (!onLoop(this::finish)) {
            closed();
        }
    }

    @Override
    public void abort() {
        if (!onLoop(this::drop)) {
            closed();
        }
    }

    /** Writes the last chunk and closes; on the event loop. */
    private void finish() {
        if (!open.get()) {
            return;
        }
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else {
            closed();
        }
    }

    /**
     * Closes at once, on the event loop: the writes still waiting fail, which releases them and
     * tells their sizes written. A last chunk behind bytes the peer never reads would never be
     * written, nor the connection closed: it held them (off-heap) for as long as the peer stayed.
     */
    private void drop() {
        if (!open.get()) {
            return;
        }
        if (ctx.channel().isActive()) {
            ctx.channel().close();
        } else {
            closed();
        }
    }

    /** The stream ended (peer gone, server closing, or after {@link #finish}); on the event loop. */
    void closed() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
        for (Runnable r : closeCallbacks) {
            if (closeCallbacks.remove(r)) {
                run(r);
            }
        }
    }

    private boolean onLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
            return true;
        }
        try {
            ctx.executor().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("stream write dropped, event loop shut down", e);
            return false;
        }
    }

    private static void run(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("stream callback failed", e);
        }
    }
}
