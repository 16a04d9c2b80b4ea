package org.rproxy.overlay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import bt.metainfo.Torrent;

/**
 * What a fetched torrent may be, and how its file is read. A torrent's file name is whatever its
 * publisher wrote into the metainfo: bt stores the transfer (each piece checked against its
 * SHA-1) under a normalised path inside the torrent's folder ({@code ../x} becomes
 * {@code _/x}, {@code /dev/zero} {@code _/dev/zero}), so reading the name as given would read
 * another file, outside the folder, unchecked. A bundle's torrent therefore has one file whose
 * name is one plain path element, the same once bt has normalised it, and the file read is the
 * regular file (no link) bt wrote in the torrent's folder, read no further than the size
 * allowed. Stateless.
 */
final class TorrentFiles {
    private static final int MAX_NAME = 255;

    private TorrentFiles() {
    }

    /** Why {@code t} is no bundle's torrent (of at most {@code maxBytes}), or null when it may be one. */
    static String refusal(Torrent t, long maxBytes) {
        if (t.getFiles().size() != 1 || t.getSize() > maxBytes) {
            return t.getFiles().size() + " files of " + t.getSize() + " bytes (expected: one file of at most " + maxBytes + ")";
        }
        List<String> path = t.getFiles().get(0).getPathElements();
        if (path.size() != 1 || !plain(path.get(0))) {
            return "file name " + printable(String.join("/", path)) + " is not a plain file name";
        }
        return null;
    }

    /**
     * Whether {@code name} is one plain path element that bt's {@code PathNormalizer} leaves as
     * it is: not empty, no longer than {@value #MAX_NAME}, no separator ({@code /} or
     * {@code \}), no control character, not {@code .} or {@code ..}, no leading or trailing
     * white space and no trailing dot (bt trims those).
     */
    static boolean plain(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        char last = name.charAt(name.length() - 1);
        return name.charAt(0) != ' ' && last != ' ' && last != '.';
    }

    /**
     * The file named {@code name} in the torrent folder {@code dir}: the regular file there (not
     * a link), whose real path lies in {@code dir}'s.
     *
     * @throws IOException when there is no such file
     */
    static Path fileIn(Path dir, String name) throws IOException {
        if (!plain(name)) {
            throw new IOException("file name " + printable(name) + " is not a plain file name");
        }
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || !file.toRealPath().getParent().equals(dir.toRealPath())) {
            throw new IOException(file + ": not a regular file in " + dir);
        }
        return file;
    }

    /**
     * The bytes of {@code file}, a regular file (not a link) of at most {@code maxBytes}: the read
     * stops one byte past {@code maxBytes}, whatever the file system said its size was.
     *
     * @throws IOException when it cannot be read, is no regular file, or is larger
     */
    static byte[] read(Path file, long maxBytes) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + ": not a regular file");
        }
        long limit = Math.min(maxBytes, Integer.MAX_VALUE - 16);
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit + 1, 64 * 1024));
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf, 0, (int) Math.min(buf.length, limit + 1 - out.size()))) > 0; ) {
                out.write(buf, 0, n);
                if (out.size() > limit) {
                    throw new IOException(file + ": more than " + maxBytes + " bytes (expected: at most " + maxBytes + ")");
                }
            }
            return out.toByteArray();
        }
    }

    /** {@code s} for a message: control characters escaped, at most 100 characters. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append(s.length() > 100 ? "...\"" : "\"").toString();
    }
}
