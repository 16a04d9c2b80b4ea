package org.rproxy.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/**
 * Words for a failed exchange, for a {@link ClientException}'s reason: what happened, never the
 * name of an exception class ({@code connection refused}, {@code the connection closed}, {@code
 * the host name does not resolve}, or the JDK's own message when it is a sentence). Stateless.
 */
final class TransportWords {
    /** What a connection lost without more said is called. */
    static final String CLOSED = "the connection closed";

    private TransportWords() {
    }

    /** What {@code e} (or one of its causes) says happened, in words. */
    static String of(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "the host name does not resolve";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to the host";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof EOFException || m == null || m.isBlank() || m.equalsIgnoreCase("closed")
                    || m.contains("EOF") || cutShortChunked(m)) {
                continue;
            }
            if (!m.matches(".*\\b(java|javax|jdk|sun)\\.[\\w.$]+.*")) {
                return m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1); // "Connection reset"
            }
        }
        return CLOSED;
    }

    /** Whether {@code message} is the JDK's for a chunked body that ended inside a chunk. */
    static boolean cutShortChunked(String message) {
        return message != null && message.startsWith("chunked transfer encoding, state:");
    }
}
