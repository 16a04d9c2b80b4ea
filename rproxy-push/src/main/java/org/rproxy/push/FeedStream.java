package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.netty.handler.ssl.SslContext;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.stream.SseParser;

/**
 * One subscription of the push feed to its upstream's update stream: the connection
 * ({@link UpstreamStream}), the hand-off of its bytes to the feed's thread, and their parsing
 * into events there. Reading pauses while more than {@link UpstreamStream#MAX_UNPROCESSED} bytes
 * wait for the feed thread, and resumes once half are done; the read timeout counts only while
 * reading is on, so the feed's own work is not taken for the upstream's silence. A stream that
 * is not valid SSE (an event over the largest taken included), or one whose event the feed
 * refuses by throwing (a control URI elsewhere, {@link StreamControl#controlUri}), is
 * {@code unreadable}; one that closes or breaks is {@code lost}. Once {@link #close}d, nothing
 * more is told. Everything but the hand-off on the feed's thread.
 */
final class FeedStream {

    /**
     * Told what happens on the stream, on the feed's thread. A stream's listener may change
     * ({@link #listen}): a stream on trial beside the working one ({@link StreamTrial}) is handed
     * over as it is, mid-stream, when it takes that one's place.
     */
    interface Listener {
        /** Each event parsed. */
        void event(SseParser.Event e);

        /** A comment line (the upstream's heartbeat). */
        void heartbeat();

        /** The upstream refused the subscription with this error; {@link #lost} follows. */
        void refused(AltoError error);

        /** Why the stream could not be read. */
        void unreadable(String why);

        /** How the connection ended: cleanly by the upstream, or broken, and why. */
        void lost(StreamEnd end);

        /** A listener telling each of these to its own callback. */
        static Listener of(Consumer<SseParser.Event> events, Runnable heartbeat, Consumer<AltoError> refused,
                           Consumer<String> unreadable, Consumer<StreamEnd> lost) {
            return new Listener() {
                @Override
                public void event(SseParser.Event e) {
                    events.accept(e);
                }

                @Override
                public void heartbeat() {
                    heartbeat.run();
                }

                @Override
                public void refused(AltoError error) {
                    refused.accept(error);
                }

                @Override
                public void unreadable(String why) {
                    unreadable.accept(why);
                }

                @Override
                public void lost(StreamEnd end) {
                    lost.accept(end);
                }
            };
        }
    }

    private final AtomicLong unprocessed = new AtomicLong();
    private final SseParser parser;
    private final UpstreamStream stream;
    private Listener listener;
    private boolean closed;

    /**
     * Connects and subscribes with {@code body}; returns at once.
     *
     * @param tls        client TLS context for an {@code https} stream URI, null for {@code http}
     * @param feedThread runs a task on the feed's thread
     * @param listener   told what happens on the stream, on the feed's thread
     */
    FeedStream(FeedNetwork network, URI uri, SslContext tls, byte[] body, Duration readTimeout, int maxEventBytes,
               Consumer<Runnable> feedThread, Listener listener) {
        this.listener = requireNonNull(listener, "listener");
        this.parser = new SseParser(maxEventBytes, e -> {
            if (!closed) {
                this.listener.event(e);
            }
        }, () -> {
            if (!closed) {
                this.listener.heartbeat();
            }
        });
        StreamHandOff handOff = new StreamHandOff(feedThread, unprocessed, this::feed,
                error -> this.listener.refused(error),
                end -> {
                    if (!closed) {
                        this.listener.lost(end);
                    }
                });
        this.stream = handOff.attach(network.open(uri, tls, body, readTimeout, handOff));
    }

    /** From now on {@code l} is told what happens on the stream; on the feed's thread. */
    void listen(Listener l) {
        this.listener = requireNonNull(l, "listener");
    }

    private void feed(byte[] data) {
        long left = unprocessed.addAndGet(-data.length);
        if (closed) {
            return;
        }
        try {
            parser.feed(data, 0, data.length);
        } catch (RuntimeException e) {
            listener.unreadable("bad event stream: " + e.getMessage());
            return;
        }
        if (left < UpstreamStream.MAX_UNPROCESSED / 2) {
            stream.resume();
        }
    }

    /** The upstream accepted the stream (its first control event was taken): its opening is done. */
    void accepted() {
        stream.accepted();
    }

    /** Closes the connection; on the feed's thread. */
    void close() {
        closed = true;
        stream.close();
    }
}
