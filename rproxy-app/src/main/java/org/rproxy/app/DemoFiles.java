package org.rproxy.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What {@code rproxy demo} wrote (its work folder when it made it, the key pair, the copies of the
 * sample maps), so that it can remove them again: a failed start removes them all, the private key
 * above all, and so does a stop for a temporary work folder, also one that comes while the demo is
 * still starting (its shutdown hook, on a thread of its own). Only what was recorded goes: a file
 * the operator put beside them stays, and so does each folder that holds one. Each file or folder
 * is recorded and written under this object's lock, and the removal takes the lock too and ends
 * every write to come, so that nothing the start writes outlives a removal it races with.
 */
final class DemoFiles {

    /** How one file is written, given its path. */
    interface Write {
        void to(Path file) throws IOException;
    }

    private final Deque<Path> written = new ArrayDeque<>(); // guarded by this
    private boolean removed; // guarded by this

    /** Makes {@code dir} and any missing folder above it, recording each one it made; returns {@code dir}. */
    synchronized Path folders(Path dir) throws IOException {
        refuseRemoved(dir);
        Path absolute = dir.toAbsolutePath().normalize();
        List<Path> missing = new ArrayList<>();
        for (Path d = absolute; d != null && !Files.exists(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) {
            missing.add(0, d);
        }
        for (Path d : missing) {
            Files.createDirectory(d);
            written.push(d);
        }
        Files.createDirectories(dir); // refuses what is not a folder, as before
        return dir;
    }

    /** Makes a new folder {@code rproxy-demo-*} in {@code root} and records it. */
    synchronized Path temporaryFolder(Path root) throws IOException {
        refuseRemoved(root);
        Path dir = Files.createTempDirectory(root, "rproxy-demo-");
        written.push(dir);
        return dir;
    }

    /**
     * Records {@code file} as the demo's and writes it with {@code how} (recorded first, so that a
     * half-written file goes too); returns it.
     *
     * @throws IOException once {@link #remove()} ran (the demo is stopping), or as {@code how} fails
     */
    synchronized Path write(Path file, Write how) throws IOException {
        refuseRemoved(file);
        written.push(file);
        how.to(file);
        return file;
    }

    private void refuseRemoved(Path where) throws IOException {
        if (removed) {
            throw new IOException(where + ": not written, the demo is stopping");
        }
    }

    /**
     * Removes what was recorded, newest first: each file, and each folder that is then empty; from
     * now on nothing more is written.
     *
     * @return what is left of it: folders that hold files the demo did not write, or what could not be removed
     */
    synchronized List<Path> remove() {
        removed = true;
        List<Path> left = new ArrayList<>();
        while (!written.isEmpty()) {
            Path p = written.pop();
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) { // a folder that is not empty (DirectoryNotEmptyException), or a denial
                left.add(p);
            }
        }
        return left;
    }
}
