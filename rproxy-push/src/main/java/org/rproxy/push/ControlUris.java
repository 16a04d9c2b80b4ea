package org.rproxy.push;

import java.util.regex.Pattern;

/**
 * The control URI a stream's first control event names (RFC 8895 §6.3 calls it a URI; clients
 * POST to it as it stands): absolute, on the node's configured public URI when it has one, else
 * on the scheme the front end serves and the {@code Host} the subscriber asked for, which is
 * where it reached this node. A request without a usable {@code Host} (HTTP/1.0, or a value that
 * is not {@code host[:port]}) gets the path alone, to be resolved against the stream's URI.
 * Stateless.
 */
final class ControlUris {

    /** {@code reg-name}, IPv4 or a bracketed IPv6 literal, and an optional port (RFC 9110 §7.2). */
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9.\\-_~%]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");

    private ControlUris() {
    }

    static String of(UpdateStreamConfig config, String host, String path) {
        if (config.publicUri() != null) {
            return config.publicUri() + path;
        }
        if (host == null || !HOST.matcher(host).matches()) {
            return path;
        }
        return (config.https() ? "https://" : "http://") + host + path;
    }
}
