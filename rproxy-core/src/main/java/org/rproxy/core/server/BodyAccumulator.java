package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;

import org.rproxy.core.model.Bytes;

/**
 * Collects one request body into a plain array, refusing to grow past the configured limit.
 * Copying out of Netty's buffers as the pieces arrive means no {@code ByteBuf} is retained
 * between reads, so nothing can leak when the connection dies half-way.
 *
 * <p>Memory follows the bytes received, not the length declared: nothing is allocated before the
 * first byte, then {@link #INITIAL} (or the declared length, if smaller), doubled as bytes arrive
 * up to the declared length and the limit. A head declaring a megabyte costs nothing until the
 * megabyte comes. Every byte of the array is taken from the connection's {@link BodyBudget} (and so
 * from the server's {@link NodeBodyBudget}), and given back by {@link #release}. Used by one event loop.
 */
final class BodyAccumulator {

    /** The first array of a body with a declared length, unless that is smaller. */
    static final int INITIAL = 16 * 1024;
    /** The first array of a chunked body (HTTP/1.1 chunked, or an HTTP/2 body without {@code content-length}). */
    private static final int CHUNKED_INITIAL = 4096;
    private static final byte[] NONE = new byte[0];

    /** What {@link #append} did. */
    enum Outcome {
        /** The bytes are held. */
        TAKEN,
        /** The body would be larger than the limit: nothing appended. */
        TOO_LARGE,
        /** The connection's {@link BodyBudget} has no room for the bytes: nothing appended. */
        CONNECTION_FULL,
        /** The server's {@link NodeBodyBudget} has no room for the bytes: nothing appended. */
        NODE_FULL
    }

    private final int limit;
    private final long expectedLength;
    private final BodyBudget budget;
    private byte[] data = NONE;
    private int size;
    /** Bytes taken from the budget: the array's size, still counted once the body is handed over. */
    private int taken;

    /**
     * @param limit          the most bytes accepted
     * @param expectedLength the declared {@code Content-Length}, or -1 for a chunked body
     * @param budget         the connection's, which every byte of the array is taken from
     */
    BodyAccumulator(int limit, long expectedLength, BodyBudget budget) {
        this.limit = limit;
        this.expectedLength = expectedLength;
        this.budget = requireNonNull(budget, "budget");
    }

    /** Appends {@code content}'s readable bytes, or says why not (and appends nothing). */
    Outcome append(ByteBuf content) {
        int n = content.readableBytes();
        if (n == 0) {
            return Outcome.TAKEN;
        }
        if (n > limit - size) {
            return Outcome.TOO_LARGE;
        }
        int needed = size + n;
        if (needed > data.length) {
            int grown = grownCapacity(needed);
            switch (budget.take(grown - data.length)) {
                case CONNECTION_FULL -> {
                    return Outcome.CONNECTION_FULL;
                }
                case NODE_FULL -> {
                    return Outcome.NODE_FULL;
                }
                case TAKEN -> taken += grown - data.length;
            }
            data = Arrays.copyOf(data, grown);
        }
        content.getBytes(content.readerIndex(), data, size, n);
        size = needed;
        return Outcome.TAKEN;
    }

    /** At least {@code needed} (which is within the limit): the first size, or twice the last, but no more than the declared length or the limit. */
    private int grownCapacity(int needed) {
        long next = data.length == 0 ? (expectedLength >= 0 ? INITIAL : CHUNKED_INITIAL) : 2L * data.length;
        next = Math.min(next, limit);
        if (expectedLength >= 0) {
            next = Math.min(next, expectedLength);
        }
        return (int) Math.max(next, needed);
    }

    /** The array's size: what this body holds of the connection's budget. */
    int capacity() {
        return data.length;
    }

    int size() {
        return size;
    }

    /** The body received; {@link #release} still owed. */
    Bytes toBytes() {
        if (size == 0) {
            return Bytes.empty();
        }
        return Bytes.wrap(size == data.length ? data : Arrays.copyOf(data, size));
    }

    /**
     * The body received, which this accumulator lets go of, its bytes still counted in the budget until {@link #release}:
     * a complete body that waits with its request for its turn is held as one arriving is.
     */
    Bytes handOver() {
        Bytes body = toBytes();
        data = NONE;
        size = 0;
        return body;
    }

    /** Gives the bytes taken back to the budget and drops the array; may be called again. */
    void release() {
        budget.giveBack(taken);
        taken = 0;
        data = NONE;
        size = 0;
    }
}
