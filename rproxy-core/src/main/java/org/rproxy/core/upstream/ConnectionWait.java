package org.rproxy.core.upstream;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.rproxy.core.net.TransportFailures;

/**
 * The wait of an {@link UpstreamClient}'s requests for one of its connections: how many may wait
 * ({@link #maxPendingAcquires}), and what a request that got none is told. Immutable; any thread.
 */
final class ConnectionWait {
    /** How long an answer is taken to hold a connection, sizing the queue for one ({@link #maxPendingAcquires}). */
    static final Duration ANSWER_TIME = Duration.ofMillis(10);
    /** The most requests ever let wait for a connection. */
    static final int MAX_PENDING_ACQUIRES = 100_000;

    private final int connections;
    private final Duration timeout;
    private final String host;
    private final int maxPending;

    /** For {@code connections} connections to {@code host} (as the Host field names it), each exchange within {@code timeout}. */
    ConnectionWait(int connections, Duration timeout, String host) {
        this.connections = connections;
        this.timeout = timeout;
        this.host = host;
        this.maxPending = maxPendingAcquires(connections, timeout);
    }

    /**
     * How many requests may wait for one of {@code connections} busy connections: what they get
     * through within {@code timeout} at {@link #ANSWER_TIME} an answer (8,000 for 8 and 10 s), at
     * least one per connection, at most {@link #MAX_PENDING_ACQUIRES}. Each holds its request (a
     * query's body too) and promise; one further back would mostly wait out the timeout holding
     * them, so it fails at once instead, as a wait that ran out does ({@link UpstreamException.Kind#BUSY}).
     */
    static int maxPendingAcquires(int connections, Duration timeout) {
        long perConnection = Math.max(1, timeout.toMillis() / ANSWER_TIME.toMillis());
        return (int) Math.min(MAX_PENDING_ACQUIRES, connections * perConnection);
    }

    int maxPending() {
        return maxPending;
    }

    /**
     * Why no connection came: the pool's wait ran out or its queue is full (every connection busy:
     * the request was never sent), or a new connection could not be made. {@code closed}: the
     * client was closed (its pool then refuses too, and that is no busy upstream).
     */
    UpstreamException failure(Throwable cause, boolean closed) {
        if (cause instanceof TimeoutException) {
            return new UpstreamException("all " + connections + " connections to " + host
                    + " stayed busy for " + timeout.toMillis() + " ms", cause, UpstreamException.Kind.BUSY);
        }
        if (cause instanceof IllegalStateException && !closed) {
            return new UpstreamException(maxPending + " requests already wait for a connection to "
                    + host, cause, UpstreamException.Kind.BUSY);
        }
        // a refused or timed-out connect in the node's words, not Netty's ("Connection refused: host/address:port");
        // a lookup's own failure says the name and its deadline
        String why = cause instanceof ConnectException ? TransportFailures.reason(cause) : cause.getMessage();
        return new UpstreamException("cannot connect to " + host + ": " + why, cause,
                UpstreamException.Kind.UNREACHABLE);
    }
}
