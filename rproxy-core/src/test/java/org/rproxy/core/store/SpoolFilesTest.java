package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.io.SlicedWrites;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.testing.DirectKept;

class SpoolFilesTest {
    @TempDir
    Path dir;

    /**
     * The thread that spools a large body keeps no direct copy of it afterwards (a channel write
     * of a whole heap buffer leaves one in the JDK's per-thread cache, as large as the body).
     */
    @Test
    void theWritingThreadKeepsNoDirectCopyOfWhatItSpooled() throws Exception {
        byte[] b = new byte[8 * 1024 * 1024];
        new Random(7).nextBytes(b);
        SpoolFiles files = new SpoolFiles(dir, Runnable::run);
        DirectKept.Result<SpooledBody> written = DirectKept.byWorkOnItsOwnThread(() -> files.write(Bytes.wrap(b)));
        SpooledBody f = written.value();
        try {
            assertTrue(written.grownBytes() <= 2L * SlicedWrites.SLICE,
                    "the spooling thread holds " + written.grownBytes() + " bytes of JDK direct memory after writing "
                            + b.length + " bytes (at most " + 2 * SlicedWrites.SLICE + " expected)");
            ByteBuffer back = ByteBuffer.allocate(b.length);
            while (back.hasRemaining()) {
                f.channel().read(back, back.position());
            }
            assertArrayEquals(b, back.array(), "the file holds the body");
        } finally {
            f.release();
        }
    }
}
