package org.rproxy.origin;

/**
 * How much one load of the maps may bring into memory, beyond the size of one file or document
 * ({@code --max-map-file-size}): the documents of a maps folder, or of one read of the unsigned
 * server, are all held at once (parsed, then rendered and signed), so their number and total size
 * are limited too, and so is a document read as a tree (a network map or endpoint properties),
 * which takes about twenty times its bytes (a 117 MB network map of 6.5 million prefixes peaked at
 * 3.3 GB of heap). A load over a limit is refused naming the limit; the maps served stay.
 *
 * @param maxTreeBytes  the largest network map or endpoint properties file (bytes outside a
 *                      cost map's costs), {@code --max-network-map-size}
 * @param maxTotalBytes the most bytes all files of a folder, or all documents of one read of the
 *                      unsigned server, may have together, {@code --max-maps-total-size}
 * @param maxDocuments  the most documents (maps files, or maps the unsigned server's directory
 *                      lists) one load may read, {@code --max-maps-documents}
 */
public record MapsLimits(long maxTreeBytes, long maxTotalBytes, int maxDocuments) {

    /** The default number of documents: far more than an ALTO server lists, far fewer than exhaust a heap. */
    public static final int DEFAULT_MAX_DOCUMENTS = 1000;

    public MapsLimits {
        if (maxTreeBytes < 1) {
            throw new IllegalArgumentException("max-network-map-size: " + maxTreeBytes + " (expected: >= 1)");
        }
        if (maxTotalBytes < 1) {
            throw new IllegalArgumentException("max-maps-total-size: " + maxTotalBytes + " (expected: >= 1)");
        }
        if (maxDocuments < 1) {
            throw new IllegalArgumentException("max-maps-documents: " + maxDocuments + " (expected: >= 1)");
        }
    }

    /** The defaults for this JVM's heap ({@link #forHeap}). */
    public static MapsLimits defaults() {
        return forHeap(Runtime.getRuntime().maxMemory());
    }

    /**
     * The defaults for a heap of {@code heapBytes}: a tree-read document at most 1/64 of it (32 MB
     * at {@code -Xmx2g}, whose tree takes some 0.6 GB), all documents together at most a quarter
     * (the signed documents are held in memory, in both dialects, some gzip'd too), and
     * {@link #DEFAULT_MAX_DOCUMENTS} documents.
     */
    public static MapsLimits forHeap(long heapBytes) {
        long heap = heapBytes <= 0 || heapBytes == Long.MAX_VALUE ? 1L << 30 : heapBytes;
        return new MapsLimits(Math.max(1, heap / 64), Math.max(1, heap / 4), DEFAULT_MAX_DOCUMENTS);
    }

    /** Each limit given (null: this one's). */
    public MapsLimits with(Long treeBytes, Long totalBytes, Integer documents) {
        return new MapsLimits(treeBytes == null ? maxTreeBytes : treeBytes,
                totalBytes == null ? maxTotalBytes : totalBytes, documents == null ? maxDocuments : documents);
    }
}
