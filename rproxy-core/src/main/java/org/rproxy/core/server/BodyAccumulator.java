package org.rproxy.core.server;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;

import org.rproxy.core.model.Bytes;

/**
 * Collects one request body into a plain array, refusing to grow past the configured limit.
 * Copying out of Netty's buffers as the pieces arrive means no {@code ByteBuf} is retained
 * between reads, so nothing can leak when the connection dies half-way. Used by one event loop.
 */
final class BodyAccumulator {

    private static final int CHUNKED_INITIAL = 4096;

    private final int limit;
    private byte[] data;
    private int size;

    /**
     * @param limit          the most bytes accepted
     * @param expectedLength the declared {@code Content-Length}, or -1 for a chunked body
     */
    BodyAccumulator(int limit, long expectedLength) {
        this.limit = limit;
        int initial = expectedLength >= 0 ? (int) Math.min(expectedLength, limit) : Math.min(limit, CHUNKED_INITIAL);
        this.data = new byte[initial];
    }

    /** Appends {@code content}'s readable bytes; false (and nothing appended) when over the limit. */
    boolean append(ByteBuf content) {
        int n = content.readableBytes();
        if (n == 0) {
            return true;
        }
        if (n > limit - size) {
            return false;
        }
        if (size + n > data.length) {
            int grown = (int) Math.min(limit, Math.max((long) data.length * 2, (long) size + n));
            data = Arrays.copyOf(data, grown);
        }
        content.getBytes(content.readerIndex(), data, size, n);
        size += n;
        return true;
    }

    int size() {
        return size;
    }

    Bytes toBytes() {
        if (size == 0) {
            return Bytes.empty();
        }
        return Bytes.wrap(size == data.length ? data : Arrays.copyOf(data, size));
    }
}
