package org.rproxy.core.sign;

/**
 * The one check {@link ResponseVerifier} makes of a body's content coding, whose field is not
 * signed: that the bytes are what {@code Content-Encoding} says they are. Stateless.
 */
final class ContentCoding {

    private ContentCoding() {
    }

    /**
     * Why the body's coding and its {@code Content-Encoding} disagree, or null. A signed document
     * is JSON or XML ({@code Content-Encoding} absent or {@code identity}), or those bytes gzipped
     * ({@code gzip}); gzip's magic number (1f 8b) cannot start either, so the check is exact. Any
     * other coding is refused: the field is not signed, and a source that relabels the gzip
     * variant (say {@code identity} or {@code br}) must not hand its bytes over as the document.
     */
    static String mismatch(String contentEncoding, byte[] body) {
        boolean gzipBytes = body.length >= 2 && body[0] == (byte) 0x1f && body[1] == (byte) 0x8b;
        String coding = contentEncoding == null ? "" : contentEncoding.trim();
        if (coding.isEmpty() || coding.equalsIgnoreCase("identity")) {
            return gzipBytes ? "gzip-coded bytes with " + (coding.isEmpty() ? "no Content-Encoding (a source dropped the field)"
                    : "Content-Encoding " + coding) : null;
        }
        if (coding.equalsIgnoreCase("gzip")) {
            return gzipBytes ? null : "Content-Encoding gzip on bytes that are not gzip";
        }
        return "Content-Encoding " + coding + ": a signed document is sent as is or gzip-coded only";
    }
}
