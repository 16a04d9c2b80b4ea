package org.rproxy.core.net;

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

import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.config.Durations;

/**
 * The one wording of a failed connection or exchange, whoever made it (the client library and
 * {@code rproxy fetch}, the push feed for a lost stream): what happened, never the name of an exception class ({@code connection refused},
 * {@code the host name does not resolve}, {@code no connection within 5s}, {@code the server's
 * certificate is not accepted: ...}, or the JDK's own message when it is a sentence). Each looks
 * through the failure's causes, so the JDK's HTTP client and Netty read alike. Stateless.
 */
public final class TransportFailures {
    /** What a connection lost without more said is called. */
    public static final String CLOSED = "the connection closed";

    private TransportFailures() {
    }

    /**
     * Why a connection or exchange failed, for a log line or readiness: {@link #unreachable} or
     * {@link #tls} when it is that, else {@link #of} for an I/O failure, else the failure's own
     * message (its class's simple name when it has none: not an I/O failure, so not a close). A
     * {@code CompletionException} is looked through ({@link Completions#cause}).
     */
    public static String reason(Throwable failure) {
        Throwable t = Completions.cause(failure);
        String none = unreachable(t);
        if (none != null) {
            return none;
        }
        String tls = tls(t);
        if (tls != null) {
            return tls;
        }
        if (t instanceof IOException) {
            return of(t);
        }
        String m = t.getMessage();
        return m != null && !m.isBlank() ? m : t.getClass().getSimpleName();
    }

    /**
     * What {@code e} (or one of its causes) says happened, in words: {@link #unreachable} when no
     * connection was made, else the first message that is a sentence, else {@link #CLOSED}.
     */
    public static String of(Throwable e) {
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
     * {@code connection refused}, {@code connection timed out} (a connect that gave up, as Netty's
     * does, with a message saying so), {@code the host name does not resolve} or {@code no route
     * to the host}; else null.
     */
    public static String unreachable(Throwable e) {
        // the most telling first: the JDK's client throws a ConnectException caused by the lookup's failure
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "the host name does not resolve";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to the host";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                String m = t.getMessage();
                return m != null && m.toLowerCase(Locale.ROOT).contains("timed out") ? "connection timed out"
                        : "connection refused";
            }
        }
        return null;
    }

    /**
     * What ran out of time, when {@code e} is the JDK's timeout: {@code no connection within 5s},
     * or {@code what} ({@code no complete response}, say) {@code within 5s}; else null.
     */
    public static String timedOut(Throwable e, String what, Duration timeout) {
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
    public static String tls(Throwable e) {
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
    public static boolean cutShortChunked(String message) {
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
