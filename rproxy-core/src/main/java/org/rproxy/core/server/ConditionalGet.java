package org.rproxy.core.server;

/**
 * Evaluates {@code If-None-Match} against the entity tag of the variant about to be sent
 * (RFC 9110 §13.1.2, weak comparison per §8.8.3.2), so that a client or a proxy holding the
 * current representation gets {@code 304}, with the same fields as the 200, instead of the body
 * (RFC 9111 §4.3.4). Signed variants get a new tag at every signing, so a copy from an earlier
 * signing gets the body with its new signature.
 *
 * <p>Only GET and HEAD are answered 304. For POST (ALTO's safe query form) a matching tag is
 * ignored and the full answer sent: RFC 9110 asks for 412 there, which would only make a
 * revalidating client ask again without the condition. A malformed list matches nothing from
 * the point where it stops parsing, so the client gets the full answer. Stateless.
 */
final class ConditionalGet {

    private ConditionalGet() {
    }

    /**
     * @param ifNoneMatch the field values joined by commas, or null
     * @param etag        the selected variant's entity tag (quotes included, maybe {@code W/}), or null
     */
    static boolean notModified(String method, String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || !("GET".equals(method) || "HEAD".equals(method))) {
            return false;
        }
        String ours = etag == null ? null : opaque(etag.trim());
        int i = 0;
        int n = ifNoneMatch.length();
        while (i < n) {
            char c = ifNoneMatch.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            if (c == '*') {
                // "*" matches any current representation, and there is one.
                return true;
            }
            if (c == 'W' && ifNoneMatch.startsWith("W/", i)) {
                i += 2;
            }
            if (i >= n || ifNoneMatch.charAt(i) != '"') {
                return false;
            }
            int end = ifNoneMatch.indexOf('"', i + 1);
            if (end < 0) {
                return false;
            }
            if (ours != null && ifNoneMatch.regionMatches(i, ours, 0, ours.length())
                    && end + 1 - i == ours.length()) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }

    /** The quoted opaque tag, without a weakness indicator. */
    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
