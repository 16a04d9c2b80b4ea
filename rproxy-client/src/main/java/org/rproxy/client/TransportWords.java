package org.rproxy.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;

import javax.net.ssl.SSLException;

import org.rproxy.core.config.Durations;

/**
 * Words for a failed exchange of the JDK's HTTP client: what happened, never the name of an
 * exception class ({@code connection refused}, {@code the host name does not resolve}, {@code no
 * connection within 5s}, {@code the server's certificate is not accepted: ...}, or the JDK's own
 * message when it is a sentence). They are the reasons of the client's {@link ClientException}s
 * and of the {@code rproxy fetch} command's verdicts, so a failure reads the same from either;
 * an application doing HTTP of its own beside the client may word its failures with them too.
 * Stateless.
 */
public final class TransportWords {
    /** What a connection lost without more said is called. */
    public static final String CLOSED = "the connection closed";

    private TransportWords() {
    }

    /**
     * What {@code e} (or one of its causes) says happened, in words: {@link #unreachable} when no
     * connection was made, else the first message that is a sentence, else {@link #CLOSED}.
     */
    public static String of(IOException e) {
        String none = unreachable(e);
        if (none != null) {
            return none;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            // the JDK's "header parser received no bytes": the server closed without a byte of answer
            if (t instanceof EOFException || m == null || m.isBlank() || m.equalsIgnoreCase("closed")
                    || m.contains("EOF") || m.contains("received no bytes") || cutShortChunked(m)) {
                continue;
            }
            if (!m.matches(".*\\b(java|javax|jdk|sun)\\.[\\w.$]+.*")) {
                return m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1); // "Connection reset"
            }
        }
        return CLOSED;
    }

    /**
     * Why no connection could be made, when that is what {@code e} (or one of its causes) says:
     * {@code connection refused}, {@code the host name does not resolve} or {@code no route to
     * the host}; else null.
     */
    public static String unreachable(IOException e) {
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
        return null;
    }

    /**
     * What ran out of time, when {@code e} is the JDK's timeout: {@code no connection within 5s},
     * or {@code what} ({@code no complete response}, say) {@code within 5s}; else null.
     */
    public static String timedOut(IOException e, String what, Duration timeout) {
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within " + Durations.format(timeout);
        }
        if (e instanceof HttpTimeoutException) {
            return what + " within " + Durations.format(timeout);
        }
        return null;
    }

    /**
     * Why the TLS handshake failed, when a TLS failure is among {@code e}'s causes: {@code the
     * server's certificate is not accepted: ...} (an unknown CA, another host name) or {@code TLS
     * handshake failed: ...}, with the innermost message; else null.
     */
    public static String tls(IOException e) {
        SSLException tls = null;
        CertificateException cert = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (tls == null && t instanceof SSLException s) {
                tls = s;
            }
            if (cert == null && t instanceof CertificateException c) {
                cert = c;
            }
        }
        if (tls == null) {
            return null;
        }
        return cert != null ? "the server's certificate is not accepted: " + innermost(cert)
                : "TLS handshake failed: " + innermost(tls);
    }

    /** Whether {@code message} is the JDK's for a chunked body that ended inside a chunk. */
    static boolean cutShortChunked(String message) {
        return message != null && message.startsWith("chunked transfer encoding, state:");
    }

    /** The message of {@code t}'s innermost cause that has one, at most 300 characters. */
    private static String innermost(Throwable t) {
        String message = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        if (message == null) {
            return "no reason given";
        }
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
