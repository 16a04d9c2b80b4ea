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
        String coding = contentEncoding == null ? "" : named(contentEncoding);
        if (coding.isEmpty() || coding.equalsIgnoreCase("identity")) {
            return gzipBytes ? "gzip-coded bytes with " + (coding.isEmpty() ? "no Content-Encoding (a source dropped the field)"
                    : "Content-Encoding " + coding) : null;
        }
        if (coding.equalsIgnoreCase("gzip")) {
            return gzipBytes ? null : "Content-Encoding gzip on bytes that are not gzip";
        }
        return "Content-Encoding " + printable(coding) + ": a signed document is sent as is or gzip-coded only";
    }

    /**
     * The coding a {@code Content-Encoding} value names: the value without its optional whitespace
     * (SP and HTAB, RFC 9110 §5.6.3) at either end, and nothing else taken off. Java's
     * {@code trim()} also drops every other control character there, so a value no field can hold
     * ({@code "gzip\r\n"}, gzip and a vertical tab: an update stream's JSON carries any string) would
     * pass for {@code gzip}, be held, and fail each response the front end writes with it.
     */
    static String named(String contentEncoding) {
        int start = 0;
        int end = contentEncoding.length();
        while (start < end && isOws(contentEncoding.charAt(start))) {
            start++;
        }
        while (end > start && isOws(contentEncoding.charAt(end - 1))) {
            end--;
        }
        return contentEncoding.substring(start, end);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** {@code s} with each character outside visible ASCII written as {@code \\uXXXX}, for a reason. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }
}
