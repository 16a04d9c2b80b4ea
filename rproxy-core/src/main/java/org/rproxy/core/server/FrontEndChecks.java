package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

import org.rproxy.core.config.Durations;

/**
 * The rules a {@link FrontEndConfig}'s values must meet, which its constructor applies in the
 * order of its fields, a group of related ones at a time; each refusal names the field and what
 * was expected. Apart from the record, which says what each setting means, its default and how a
 * copy changes it. Stateless.
 */
final class FrontEndChecks {

    private FrontEndChecks() {
    }

    /** Where the front end listens. */
    static void listener(String host, int port) {
        requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: blank (expected: an address or a name)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /** What one request may be. */
    static void requests(int maxInitialLineLength, int maxHeaderBytes, int maxBodyBytes) {
        // A request line shorter than this cannot hold "GET / HTTP/1.1" plus a useful path.
        if (maxInitialLineLength < 64) {
            throw new IllegalArgumentException(
                    "maxInitialLineLength: " + maxInitialLineLength + " (expected: >= 64)");
        }
        if (maxHeaderBytes < 256) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 256)");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0)");
        }
    }

    /** How long a connection may stay without a request, or without a byte. */
    static void timeouts(Duration idleTimeout, Duration firstByteTimeout) {
        requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
        requireNonNull(firstByteTimeout, "firstByteTimeout");
        if (firstByteTimeout.isNegative() || firstByteTimeout.isZero()) {
            throw new IllegalArgumentException("firstByteTimeout: " + firstByteTimeout + " (expected: > 0)");
        }
    }

    /** The connections served at once, the streams of each, and the threads they run on. */
    static void connections(int maxConnections, int maxStreams, int ioThreads) {
        if (maxConnections < 1 || maxConnections > FrontEndConfig.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: 1 to "
                    + FrontEndConfig.MAX_CONNECTIONS + ")");
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams: " + maxStreams + " (expected: >= 1)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
    }

    /** Each connection's send buffer. */
    static void sendBuffer(int sendBufferBytes) {
        if (sendBufferBytes < 0) {
            throw new IllegalArgumentException("sendBufferBytes: " + sendBufferBytes + " (expected: >= 0)");
        }
    }

    /** What the node holds for all its connections together ({@code 0}: a share of the heap or of direct memory). */
    static void nodeBudgets(int maxBodyBytes, long maxBodyBytesHeld, int maxUnfinishedStreams, long maxPendingSendBytes,
                            int maxAnswersHeld) {
        if (maxBodyBytesHeld != 0 && maxBodyBytesHeld < maxBodyBytes) {
            throw new IllegalArgumentException("maxBodyBytesHeld: " + maxBodyBytesHeld
                    + " (expected: 0 for a share of the heap, or at least maxBodyBytes, " + maxBodyBytes + ")");
        }
        if (maxUnfinishedStreams < 1) {
            throw new IllegalArgumentException("maxUnfinishedStreams: " + maxUnfinishedStreams + " (expected: >= 1)");
        }
        if (maxPendingSendBytes < 0) {
            throw new IllegalArgumentException("maxPendingSendBytes: " + maxPendingSendBytes + " (expected: >= 0)");
        }
        if (maxAnswersHeld != 0 && (maxAnswersHeld < FrontEndConfig.MIN_ANSWERS_HELD
                || maxAnswersHeld > FrontEndConfig.MAX_ANSWERS_HELD)) {
            throw new IllegalArgumentException("maxAnswersHeld: " + maxAnswersHeld + " (expected: 0 for a share of the heap, or "
                    + FrontEndConfig.MIN_ANSWERS_HELD + " to " + FrontEndConfig.MAX_ANSWERS_HELD + ")");
        }
    }

    /**
     * The connections served at once from one client address ({@code 0}: no such limit): never more
     * than {@code maxConnections}, past which a connection is refused whatever its address.
     */
    static void perAddress(int maxConnectionsPerAddress, int maxConnections) {
        if (maxConnectionsPerAddress < 0 || maxConnectionsPerAddress > FrontEndConfig.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("maxConnectionsPerAddress: " + maxConnectionsPerAddress + " (expected: 0 to "
                    + FrontEndConfig.MAX_CONNECTIONS + ")");
        }
        if (maxConnectionsPerAddress > maxConnections) {
            throw new IllegalArgumentException("maxConnectionsPerAddress: " + maxConnectionsPerAddress
                    + " (expected: 0 for no such limit, or at most maxConnections, " + maxConnections + ")");
        }
    }

    /** How long a stop waits for the answers in progress. */
    static void drain(Duration drainTimeout) {
        requireNonNull(drainTimeout, "drainTimeout");
        if (drainTimeout.compareTo(FrontEndConfig.MIN_DRAIN_TIMEOUT) < 0
                || drainTimeout.compareTo(FrontEndConfig.MAX_DRAIN_TIMEOUT) > 0) {
            throw new IllegalArgumentException("drainTimeout: " + Durations.format(drainTimeout) + " (expected: "
                    + Durations.format(FrontEndConfig.MIN_DRAIN_TIMEOUT) + " to "
                    + Durations.format(FrontEndConfig.MAX_DRAIN_TIMEOUT) + ")");
        }
    }
}
