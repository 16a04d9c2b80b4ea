package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What one followed stream tells the client's record of subscriptions
 * ({@link SourceHealth#recentStreamFailures}), the origin's as a proxy's: a stream that has lasted
 * the read timeout ends its source's run of failures at once, at the first read past it, not when
 * it ends; one its source ended sooner is a failure. Told only at its end, a stream followed for
 * hours left the failures before it on a status page, and the origin's (its streams were not
 * recorded at all) were never cleared: every refusal during a restart added one for good, and its
 * window grew to 10 min. Followers still subscribe at the origin whatever its record says; the
 * record shows what its stream did. Used on the follower's thread.
 */
final class StreamRecord implements Runnable {
    private final SourceHealth health;
    private final Subscription stream;
    private final LongSupplier ticker;
    private final long readTimeoutNanos;
    private final Runnable read;
    private final long start;
    private boolean lasted;

    /** @param read told of every read first (the follower's silence watch) */
    StreamRecord(SourceHealth health, Subscription stream, LongSupplier ticker, Duration readTimeout, Runnable read) {
        this.health = requireNonNull(health, "health");
        this.stream = requireNonNull(stream, "stream");
        this.ticker = requireNonNull(ticker, "ticker");
        this.readTimeoutNanos = readTimeout.toNanos();
        this.read = requireNonNull(read, "read");
        this.start = ticker.getAsLong();
    }

    /** A read of the stream (an event, a heartbeat). */
    @Override
    public void run() {
        read.run();
        if (!lasted && ticker.getAsLong() - start >= readTimeoutNanos) {
            lasted = true;
            health.streamSucceeded(stream.source()); // its latency is the answer's, sampled when it came
        }
    }

    /**
     * The stream ended, not by the client's close: {@code endedByIt} when its source ended it (a
     * close, a broken connection), not this client's watch. Ended by its source before it lasted
     * the read timeout (a flapping proxy), it is a failure, so that its window doubles as for a
     * refusal and neither the follower nor a move ({@link MoveToProxy}) goes back to it at once.
     */
    void ended(boolean endedByIt) {
        long nanos = ticker.getAsLong() - start;
        if (nanos >= readTimeoutNanos) {
            health.streamSucceeded(stream.source());
        } else if (endedByIt) {
            health.streamFailed(stream.source(), new ClientException.Unreachable(stream.uri(), "the update stream ended after "
                    + FailureWords.seconds(Duration.ofMillis(nanos / 1_000_000)) + ", before it lasted the read timeout",
                    null));
        }
    }
}
