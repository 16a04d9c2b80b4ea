package org.rproxy.origin;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoException;

/**
 * Reads one maps file as a stream, in one pass, with a size limit: a file over the limit is
 * refused before it is read (and, should it grow while being read, as soon as it passes the
 * limit), a cost map's costs go straight into their compact table, and nothing holds the file's
 * bytes or a tree of its costs. The bytes are hashed as they go by, for the version tag of a
 * cost map that gives none. Runs on the caller's thread (start-up or the folder watcher).
 */
final class MapsFile {

    /**
     * @param doc       the document read
     * @param bytesTag  32 hex digits of SHA-256 over the file's bytes
     */
    record Read(AltoJson.StreamedDocument doc, String bytesTag) {
    }

    /** How a file's bytes are opened: {@code Files::newInputStream}, or in a test one that changes the file under the reader. */
    @FunctionalInterface
    interface Opener {
        InputStream open(Path file) throws IOException;
    }

    private MapsFile() {
    }

    static Read read(Path file, long maxBytes) throws IOException {
        return read(file, maxBytes, Files::newInputStream);
    }

    static Read read(Path file, long maxBytes, Opener opener) throws IOException {
        return read(file, maxBytes, maxBytes, opener);
    }

    /**
     * As {@link #read(Path, long, Opener)}; besides, at most {@code maxTreeBytes} of the file may
     * lie outside a cost map's costs (read into trees: a network map, endpoint properties), so
     * that a large one is refused as it is read, before its tree fills the heap.
     */
    static Read read(Path file, long maxBytes, long maxTreeBytes, Opener opener) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw tooLarge(file, size + " bytes", maxBytes);
        }
        MessageDigest sha = sha256();
        try (Limited in = new Limited(new DigestInputStream(opener.open(file), sha), file, maxBytes, maxTreeBytes)) {
            AltoJson.StreamedDocument doc;
            try {
                doc = AltoJson.readDocument(in, in);
            } catch (AltoException e) {
                throw new MapsFolder.MapsFolderException(file + ": " + MapsFolder.describe(e), e);
            }
            return new Read(doc, HexFormat.of().formatHex(sha.digest(), 0, 16));
        }
    }

    private static MapsFolder.MapsFolderException tooLarge(Path file, String size, long maxBytes) {
        return new MapsFolder.MapsFolderException(file + ": " + size + ", over the limit of " + maxBytes
                + " bytes for one maps file (--max-map-file-size)");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Refuses to read past the limit (a file that grows after its size was checked), and more
     * than the tree limit outside a cost map's costs.
     */
    private static final class Limited extends FilterInputStream implements AltoJson.CostsMarks {
        private final Path file;
        private final long max;
        private final long maxTree;
        private long count;
        /** Bytes read while the costs were: those not read into trees. */
        private long streamed;
        /** Where the costs began, or -1 while trees are read. */
        private long costsFrom = -1;

        Limited(InputStream in, Path file, long max, long maxTree) {
            super(in);
            this.file = file;
            this.max = max;
            this.maxTree = maxTree;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public void costsBegin() {
            costsFrom = count;
        }

        @Override
        public void costsEnd() {
            streamed += count - costsFrom;
            costsFrom = -1;
        }

        private void counted(int n) {
            count += n;
            if (count > max) {
                throw tooLarge(file, "more than " + max + " bytes (it grew while being read)", max);
            }
            if (costsFrom < 0 && count - streamed > maxTree) {
                throw new MapsFolder.MapsFolderException(file + ": more than " + maxTree + " bytes outside a cost map's"
                        + " costs, over the limit of " + maxTree + " bytes for a network map or endpoint properties"
                        + " file (--max-network-map-size), which is read whole into memory");
            }
        }
    }
}
