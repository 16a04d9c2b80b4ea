package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.ConfigText;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.sign.ContentDigest;

/**
 * One look at an origin's {@code --key} file, for {@link KeysReload}: its bytes, and a stamp of
 * it and of every file it lists (each one's path, size, modification time and SHA-256), so that
 * two looks a poll apart tell whether anything was written in between. A file being written in
 * place (truncated, then written in pieces) may parse at any step, with entries missing; its
 * stamp changes from one look to the next until the writer is done.
 *
 * @param file    the file looked at
 * @param bytes   what it held, or null when it could not be read
 * @param problem why it could not be read ({@code FILE: cannot read: REASON}), or null
 * @param stamp   what was seen, equal for two looks only when nothing changed in between
 */
record KeysFileLook(Path file, byte[] bytes, String problem, List<String> stamp) {

    /** A listed file larger than this (a PEM key is under 1 KiB) is stamped by size and time only. */
    static final int LISTED_READ = 64 * 1024;

    KeysFileLook {
        stamp = List.copyOf(stamp);
    }

    /** Looks at {@code file} and the files it lists (when it reads as a keys file) now. */
    static KeysFileLook of(Path file) {
        byte[] bytes;
        List<String> stamp = new ArrayList<>();
        try {
            bytes = seen(file, stamp);
        } catch (IOException e) {
            String problem = file + ": cannot read: " + IoProblems.reason(e);
            return new KeysFileLook(file, null, problem, List.of(problem));
        }
        for (Path listed : listed(file, bytes)) {
            try {
                BasicFileAttributes a = Files.readAttributes(listed, BasicFileAttributes.class);
                if (a.isRegularFile() && a.size() <= LISTED_READ) {
                    seen(listed, stamp);
                } else { // no key file: reading it is left to OriginKeys, which says what is wrong
                    stamp.add(listed + ": " + a.size() + " bytes, modified " + a.lastModifiedTime());
                }
            } catch (IOException e) {
                stamp.add(listed + ": cannot read: " + IoProblems.reason(e));
            }
        }
        return new KeysFileLook(file, bytes, null, stamp);
    }

    /** Two looks saw the same: every file the same size, time and content. */
    boolean sameAs(KeysFileLook other) {
        return other != null && stamp.equals(other.stamp);
    }

    /** What it says to log: the size and time of the {@code --key} file, or why it cannot be read. */
    String describe() {
        if (problem != null) {
            return problem;
        }
        return stamp.get(0);
    }

    private static byte[] seen(Path file, List<String> stamp) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        byte[] bytes = Files.readAllBytes(file);
        stamp.add(file + ": " + bytes.length + " bytes, modified " + a.lastModifiedTime() + ", sha-256 "
                + HexFormat.of().formatHex(ContentDigest.sha256Raw(bytes)));
        return bytes;
    }

    /** The files a keys file lists; none for a PEM key or a file that does not read as a keys file. */
    private static List<Path> listed(Path file, byte[] bytes) {
        try {
            String text = ConfigText.decode(file, bytes);
            if (text.stripLeading().startsWith("-----BEGIN")) {
                return List.of();
            }
            return new ConfigLoader().read(text, file.toString(), KeysFile.class).keys().stream()
                    .map(KeysFile.Entry::file).toList();
        } catch (RuntimeException e) {
            return List.of(); // said when the file is read, once it stays the same
        }
    }

    @Override
    public String toString() {
        return "KeysFileLook" + stamp;
    }
}
