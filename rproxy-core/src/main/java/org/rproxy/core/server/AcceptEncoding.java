package org.rproxy.core.server;

import java.util.Locale;

/**
 * Decides from {@code Accept-Encoding} (RFC 9110 §12.5.3) whether a gzip variant may be sent.
 *
 * <p>gzip is chosen when the field lists {@code gzip} (or {@code x-gzip}) with a non-zero
 * weight, or, when it does not name gzip, lists {@code *} with a non-zero weight. A missing field
 * means identity: RFC 9110 would allow any coding then, but a client that says nothing usually
 * cannot decode, and the signature's {@code content-digest} covers the encoded bytes, so a wrong
 * guess cannot be repaired by the client. Relative weights between codings are not compared:
 * any acceptable coding is a valid answer. A malformed weight counts as zero. Stateless.
 */
final class AcceptEncoding {

    private AcceptEncoding() {
    }

    static boolean acceptsGzip(String field) {
        if (field == null) {
            return false;
        }
        double gzip = -1;
        double any = -1;
        for (String element : field.split(",")) {
            String[] parts = element.split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = Math.max(gzip, weight(parts));
            } else if (coding.equals("*")) {
                any = Math.max(any, weight(parts));
            }
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }

    /** The {@code q} parameter of one element (RFC 9110 §12.4.2), 1 when absent. */
    private static double weight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.length() >= 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                return parseWeight(p.substring(2).trim());
            }
        }
        return 1;
    }

    private static double parseWeight(String s) {
        // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
        if (s.isEmpty() || s.length() > 5 || (s.charAt(0) != '0' && s.charAt(0) != '1')) {
            return 0;
        }
        try {
            double q = Double.parseDouble(s);
            return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
