package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

/**
 * The request-body bytes one connection may hold at once while bodies arrive, over all its
 * requests: what each {@link BodyAccumulator} takes as it grows and gives back when its request is
 * complete, refused or gone. Every byte is taken from the server's {@link NodeBodyBudget} too, so
 * the node as a whole is bounded whatever the number of connections. An HTTP/1.1 connection reads
 * one body at a time, bounded by the body limit, and needs no bound of its own ({@link #forHttp1});
 * an HTTP/2 connection may carry {@link FrontEndConfig#maxStreams} bodies at once, so it has one
 * of {@link #forHttp2}, and a stream whose body would take it past that is answered 503. Counts
 * the arrays actually allocated, not lengths declared. Used on the connection's event loop only
 * (its streams run there too).
 */
final class BodyBudget {

    /** The budget of an HTTP/2 connection, unless the body limit is larger: four largest bodies at the default limit. */
    static final long PER_HTTP2_CONNECTION = 4L * 1024 * 1024;

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

    /** No bound of the connection's own: a connection that reads one request body at a time. */
    static BodyBudget forHttp1(NodeBodyBudget node) {
        return new BodyBudget(Long.MAX_VALUE, node);
    }

    /** An HTTP/2 connection's: {@link #PER_HTTP2_CONNECTION}, or the body limit if larger, so one largest body always fits. */
    static BodyBudget forHttp2(int maxBodyBytes, NodeBodyBudget node) {
        return new BodyBudget(Math.max(PER_HTTP2_CONNECTION, maxBodyBytes), node);
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
