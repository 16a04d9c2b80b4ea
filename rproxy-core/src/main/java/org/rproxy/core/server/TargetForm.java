package org.rproxy.core.server;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The normal origin form of a request target ({@code /path?query}): what signed and computed
 * documents are found by, what a pull proxy forwards and keys its cache on, and what a client
 * compares with a signed document's {@code alto-resource} path. Equivalent targets have one
 * normal form, so they find one document:
 *
 * <ul>
 *   <li>absolute form ({@code http://host/path?query}, RFC 9112 §3.2.2) is reduced to its path
 *       and query ({@code /} for an empty path);
 *   <li>a percent-encoded unreserved character ({@code ALPHA DIGIT - . _ ~}) is decoded, and
 *       every other percent-encoding has its hex digits upper-cased (RFC 3986 §6.2.2.1-2);
 *   <li>in the query only, {@code %3A %40 %2F %3F} are decoded too ({@code : @ / ?}). RFC 3986
 *       §3.4 allows those four in a query as they are, and this server's query parsing
 *       ({@link RequestTarget}) splits on {@code &} and the first {@code =} only and decodes
 *       everything else, so {@code type=priv%3Ax} and {@code type=priv:x} already meant the
 *       same parameter; the signed documents name them unencoded
 *       ({@code /cost/map?type=priv:x}).
 * </ul>
 *
 * Everything else is kept byte for byte: nothing is re-ordered, and {@code &}, {@code =},
 * {@code +}, {@code ;}, {@code %26}, {@code %3D}, {@code %2B}, and any reserved character in the
 * path, keep their meaning. A {@code %} not followed by two hex digits is refused. Stateless.
 */
public final class TargetForm {

    private static final String HEX = "0123456789ABCDEF";

    private TargetForm() {
    }

    /**
     * The normal origin form of an origin-form or absolute-form target.
     *
     * @throws IllegalArgumentException with a client-safe message for any other form
     */
    public static String of(String raw) {
        return normalise(raw.startsWith("/") ? raw : originForm(raw));
    }

    /**
     * {@code target} (origin form) with its percent-encodings normalised as the class says.
     *
     * @throws IllegalArgumentException for a {@code %} not followed by two hex digits
     */
    public static String normalise(String target) {
        int percent = target.indexOf('%');
        if (percent < 0) {
            return target;
        }
        int queryAt = target.indexOf('?');
        StringBuilder out = new StringBuilder(target.length()).append(target, 0, percent);
        for (int i = percent; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int hi = i + 2 < target.length() ? hex(target.charAt(i + 1)) : -1;
            int lo = hi < 0 ? -1 : hex(target.charAt(i + 2));
            if (lo < 0) {
                throw new IllegalArgumentException("request target: invalid percent-encoding");
            }
            char decoded = (char) (hi * 16 + lo);
            if (unreserved(decoded) || queryAt >= 0 && i > queryAt && plainInQuery(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(HEX.charAt(hi)).append(HEX.charAt(lo));
            }
            i += 2;
        }
        return out.toString();
    }

    private static String originForm(String raw) {
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("request target: not a valid URI");
        }
        if (!uri.isAbsolute() || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("request target: expected /path or an absolute URI");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static boolean unreserved(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean plainInQuery(char c) {
        return c == ':' || c == '@' || c == '/' || c == '?';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
