package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

/**
 * The request-body bytes one connection may hold at once, over all its requests: what each
 * {@link BodyAccumulator} takes as it grows and gives back once its request no longer holds it
 * (refused, gone, or its answer handed on). Every byte is taken from the server's
 * {@link NodeBodyBudget} too, so the node as a whole is bounded whatever the number of
 * connections. A connection holds several bodies at once: an HTTP/2 one up to
 * {@link FrontEndConfig#maxStreams}, an HTTP/1.1 one up to 32 pipelined requests waiting for their
 * turn, each with its body; so each has a bound of its own ({@link #perConnection}), and a body
 * that would take it past that is answered 503. Counts the arrays actually allocated, not lengths
 * declared. Used on the connection's event loop only (an HTTP/2 connection's streams run there too).
 */
final class BodyBudget {

    /** The budget of a connection, unless the body limit is larger: four largest bodies at the default limit. */
    static final long PER_CONNECTION = 4L * 1024 * 1024;

    /** What {@link #take} did, or what {@link #room} says a body starting now would meet. */
    enum Room {
        /** Taken (there is room). */
        TAKEN,
        /** The connection's own bound has no room. */
        CONNECTION_FULL,
        /** The server's bound for all connections has no room. */
        NODE_FULL
    }

    private final long limit;
    private final NodeBodyBudget node;
    private long held;

    BodyBudget(long limit, NodeBodyBudget node) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
        }
        this.limit = limit;
        this.node = requireNonNull(node, "node");
    }

    /** A connection's: {@link #PER_CONNECTION}, or the body limit if larger, so one largest body always fits. */
    static BodyBudget perConnection(int maxBodyBytes, NodeBodyBudget node) {
        return new BodyBudget(Math.max(PER_CONNECTION, maxBodyBytes), node);
    }

    /** Takes {@code bytes} more from the connection and the node; nothing is taken unless both have room. */
    Room take(int bytes) {
        if (bytes > limit - held) {
            return Room.CONNECTION_FULL;
        }
        if (!node.take(bytes)) {
            return Room.NODE_FULL;
        }
        held += bytes;
        return Room.TAKEN;
    }

    /** Gives back {@code bytes} taken before, to the connection and the node. */
    void giveBack(int bytes) {
        held -= bytes;
        node.giveBack(bytes);
    }

    /** Whether a body starting now would be refused at its first byte, and by which bound ({@link Room#TAKEN}: it would not). */
    Room room() {
        if (held >= limit) {
            return Room.CONNECTION_FULL;
        }
        return node.spent() ? Room.NODE_FULL : Room.TAKEN;
    }

    long held() {
        return held;
    }

    long limit() {
        return limit;
    }

    NodeBodyBudget node() {
        return node;
    }
}
