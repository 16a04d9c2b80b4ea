package org.rproxy.push;

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
    private final AtomicLong unprocessed = new AtomicLong();
    private final SseParser parser;
    private final Consumer<String> unreadable;
    private final UpstreamStream stream;
    private boolean closed;

    /**
     * Connects and subscribes with {@code body}; returns at once.
     *
     * @param tls        client TLS context for an {@code https} stream URI, null for {@code http}
     * @param feedThread runs a task on the feed's thread
     * @param events     each event parsed, on the feed's thread; likewise the callbacks below
     * @param heartbeat  told of each comment line (the upstream's heartbeat)
     * @param unreadable told why the stream could not be read
     * @param lost       told why the connection closed or broke
     */
    FeedStream(FeedNetwork network, URI uri, SslContext tls, byte[] body, Duration readTimeout, int maxEventBytes,
               Consumer<Runnable> feedThread, Consumer<SseParser.Event> events, Runnable heartbeat,
               Consumer<AltoError> refused, Consumer<String> unreadable, Consumer<String> lost) {
        this.unreadable = unreadable;
        this.parser = new SseParser(maxEventBytes, e -> {
            if (!closed) {
                events.accept(e);
            }
        }, () -> {
            if (!closed) {
                heartbeat.run();
            }
        });
        StreamHandOff handOff = new StreamHandOff(feedThread, unprocessed, this::feed, refused,
                why -> {
                    if (!closed) {
                        lost.accept(why);
                    }
                });
        this.stream = handOff.attach(UpstreamStream.open(network.group, uri, tls, body, readTimeout, handOff));
    }

    private void feed(byte[] data) {
        long left = unprocessed.addAndGet(-data.length);
        if (closed) {
            return;
        }
        try {
            parser.feed(data, 0, data.length);
        } catch (RuntimeException e) {
            unreadable.accept("bad event stream: " + e.getMessage());
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
