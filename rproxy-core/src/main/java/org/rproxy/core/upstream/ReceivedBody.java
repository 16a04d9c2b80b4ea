package org.rproxy.core.upstream;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;

import org.rproxy.core.model.Bytes;

/**
 * The body of one upstream response as it arrives, copied piece by piece into one heap array, so
 * that each network buffer is given back as soon as its bytes are in the array: a response in
 * flight is held once, not once in direct memory while it is received and again on the heap.
 * When the response declares its length the array is made that size at once; otherwise (chunked,
 * or read to the close) it starts small and doubles, and is trimmed at the end, which copies
 * once more. Confined to the connection's event loop.
 */
final class ReceivedBody {
    /** The first array for a body of unknown length. */
    static final int INITIAL = 8 * 1024;

    private final int max;
    private byte[] data;
    private int length;

    /**
     * @param declared the length the response declares, or -1 when it declares none
     * @param max      the most bytes accepted ({@code declared} must not be over it)
     */
    ReceivedBody(long declared, int max) {
        if (declared > max) {
            throw new IllegalArgumentException("declared: " + declared + " (expected: <= " + max + ")");
        }
        this.max = max;
        this.data = new byte[declared >= 0 ? (int) declared : Math.min(max, INITIAL)];
    }

    /** Copies the readable bytes of {@code part}; false, copying nothing, when they would pass {@code max}. */
    boolean append(ByteBuf part) {
        int n = part.readableBytes();
        if (n > max - length) {
            return false;
        }
        if (n > data.length - length) {
            long grown = Math.max((long) data.length * 2, (long) length + n);
            data = Arrays.copyOf(data, (int) Math.min(max, grown));
        }
        part.getBytes(part.readerIndex(), data, length, n);
        length += n;
        return true;
    }

    /** The bytes received; the array itself when it is exactly full. */
    Bytes bytes() {
        return Bytes.wrap(length == data.length ? data : Arrays.copyOf(data, length));
    }
}
