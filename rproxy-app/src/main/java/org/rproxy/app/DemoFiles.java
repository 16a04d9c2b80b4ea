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
 * above all, and so does a stop for a temporary work folder. Only what was recorded goes: a file
 * the operator put beside them stays, and so does each folder that holds one. Used from one
 * thread at a time (the start, then the shutdown hook).
 */
final class DemoFiles {

    private final Deque<Path> written = new ArrayDeque<>();

    /** Makes {@code dir} and any missing folder above it, recording each one it made; returns {@code dir}. */
    Path folders(Path dir) throws IOException {
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
    Path temporaryFolder(Path root) throws IOException {
        Path dir = Files.createTempDirectory(root, "rproxy-demo-");
        written.push(dir);
        return dir;
    }

    /** Records {@code file} as the demo's, before it is written (so a half-written file goes too); returns it. */
    Path file(Path file) {
        written.push(file);
        return file;
    }

    /**
     * Removes what was recorded, newest first: each file, and each folder that is then empty.
     *
     * @return what is left of it: folders that hold files the demo did not write, or what could not be removed
     */
    List<Path> remove() {
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
