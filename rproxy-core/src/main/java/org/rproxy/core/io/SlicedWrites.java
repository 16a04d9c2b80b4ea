package org.rproxy.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes a byte array to a file channel in slices of at most {@link #SLICE} bytes. A channel writes
 * a heap buffer through a temporary direct buffer as large as what is left of it, and the JDK keeps
 * that buffer for the writing thread's life (a per-thread cache with no size cap by default):
 * written whole, every thread that ever wrote a 6 MB cost map to a file would hold 6 MB of direct
 * memory that no bound of ours sees. In slices it holds one slice at most.
 */
public final class SlicedWrites {
    /** The most handed to the channel in one write. */
    public static final int SLICE = 64 * 1024;

    private SlicedWrites() {
    }

    /** Writes all of {@code bytes} at the channel's position. */
    public static void writeAll(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        while (src.hasRemaining()) {
            src.limit(Math.min(src.capacity(), src.position() + SLICE));
            ch.write(src);
            src.limit(src.capacity());
        }
    }
}
