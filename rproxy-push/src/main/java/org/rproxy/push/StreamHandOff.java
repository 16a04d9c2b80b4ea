package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.rproxy.core.model.AltoError;

/**
 * Hands what happens on one upstream stream, as its Netty event loop sees it, over to the push
 * feed's thread, and holds the stream's reads (and its read timeout) while more than
 * {@link UpstreamStream#MAX_UNPROCESSED} bytes wait there (the feed lets them go again once it
 * has caught up). Called on the stream's event loop; never blocks.
 */
final class StreamHandOff implements UpstreamStream.Listener {
    private final Consumer<Runnable> feedThread;
    private final AtomicLong unprocessed;
    private final Consumer<byte[]> bytes;
    private final Consumer<AltoError> refused;
    private final Consumer<StreamEnd> closed;
    private volatile UpstreamStream stream;

    StreamHandOff(Consumer<Runnable> feedThread, AtomicLong unprocessed, Consumer<byte[]> bytes,
                  Consumer<AltoError> refused, Consumer<StreamEnd> closed) {
        this.feedThread = requireNonNull(feedThread, "feedThread");
        this.unprocessed = requireNonNull(unprocessed, "unprocessed");
        this.bytes = requireNonNull(bytes, "bytes");
        this.refused = requireNonNull(refused, "refused");
        this.closed = requireNonNull(closed, "closed");
    }

    /** The stream these events are of, once it exists (events may come before). */
    UpstreamStream attach(UpstreamStream s) {
        this.stream = s;
        return s;
    }

    /**
     * The upstream answered 200: nothing for the feed yet. The stream is usable, and counts as
     * connected, only once its first control event names a control URI the feed takes.
     */
    @Override
    public void opened() {
    }

    @Override
    public void bytes(byte[] data) {
        UpstreamStream s = stream;
        if (unprocessed.addAndGet(data.length) > UpstreamStream.MAX_UNPROCESSED && s != null) {
            s.pause();
        }
        feedThread.accept(() -> bytes.accept(data));
    }

    @Override
    public void refused(AltoError error) {
        feedThread.accept(() -> refused.accept(error));
    }

    @Override
    public void closed(StreamEnd end) {
        feedThread.accept(() -> closed.accept(end));
    }
}
