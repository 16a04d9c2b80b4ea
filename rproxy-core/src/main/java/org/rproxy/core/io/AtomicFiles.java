package org.rproxy.core.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that it appears whole or not at all, and stays whole after a crash: the bytes
 * go to a new temporary file beside it ({@code .NAME.RANDOM.tmp}), which is forced to the disk
 * ({@link FileChannel#force}) and then renamed over the target in one step; the folder is forced
 * after, where the platform allows, so the rename itself survives a power cut. Without the force
 * before the rename, a crash can leave the target renamed but empty.
 *
 * <p>The temporary file is created as any new file is ({@code open(2)} with mode 0666 less the
 * process's umask: {@code rw-r--r--} under the usual 022), not with {@link Files#createTempFile}'s
 * {@code rw-------}, so the file written can be read by whoever may read a file the same process
 * writes plainly (another user's service, for one).
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code target}, replacing it (see the class comment). */
    public static void write(Path target, byte[] bytes) throws IOException {
        requireNonNull(bytes, "bytes");
        Path file = requireNonNull(target, "target").toAbsolutePath();
        Path dir = file.getParent();
        Path tmp = null;
        try {
            FileChannel out = null;
            while (out == null) {
                tmp = dir.resolve("." + file.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current()
                        .nextLong(), 36) + ".tmp");
                try {
                    out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null; // another writer's: draw another name
                }
            }
            try (FileChannel ch = out) {
                SlicedWrites.writeAll(ch, bytes);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            forceFolder(dir);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Forces {@code dir}'s entries (the rename) to the disk. Opening a folder for reading works on
     * Linux and the BSDs; where it does not (Windows), the rename is left to the file system.
     */
    private static void forceFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here: the file itself was forced, the rename is the file system's to keep
        }
    }
}
