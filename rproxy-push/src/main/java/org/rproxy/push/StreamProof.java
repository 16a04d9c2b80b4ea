package org.rproxy.push;

import org.rproxy.core.concurrent.Backoff;

/**
 * When the push feed's reconnect {@link Backoff} starts afresh: once per stream, when the stream
 * has <b>proved itself</b> (an update on it verified, or a heartbeat came), not when it is merely
 * accepted, and not even then when the stream before was lost for the upstream's <b>fault</b> (a
 * control request it did not take, an event stream the feed could not read).
 *
 * <p>Accepting alone reset it, so an upstream that accepted every stream and closed it at once (or
 * sent nothing until the read timeout) was subscribed to at the shortest wait for good, several
 * times a second. Either sign of proof comes from a healthy upstream within the read timeout
 * (about two heartbeats), so this asks of a stream what the client library's follower asks (a
 * stream that outlived the read timeout) without a clock of its own. And a heartbeat is cheap:
 * were a faulted loss forgotten on proof, an upstream failing every control request (announcing a
 * new document on each stream, say) would be subscribed to at the shortest wait for good, each
 * time sending up to the largest event (64 MB by default); so it is subscribed to at doubling
 * waits.
 *
 * <p>Not thread-safe: {@link FeedConnection}'s, on the feed's thread.
 */
final class StreamProof {
    private final Backoff backoff;
    /** The last stream was lost for the upstream's fault: the next proof keeps the backoff. */
    private boolean faulted;
    /** The stream now has proved itself. */
    private boolean proven;

    StreamProof(Backoff backoff) {
        this.backoff = backoff;
    }

    /** A stream is lost, for the upstream's fault when {@code fault}; the wait before the next one, in ms. */
    long lost(boolean fault) {
        faulted |= fault;
        proven = false;
        return backoff.nextDelayMillis();
    }

    /** Whether the stream now has proved itself (read before {@link #lost}, which forgets it). */
    boolean proven() {
        return proven;
    }

    /** Another stream takes the place of the one now, which was not lost. */
    void replaced() {
        proven = false;
    }

    /** The stream now proved itself: the first time, the backoff starts afresh unless the one before faulted. */
    void proved() {
        if (proven) {
            return;
        }
        proven = true;
        if (!faulted) {
            backoff.reset(); // the stream works: the next loss starts afresh
        }
        faulted = false;
    }
}
