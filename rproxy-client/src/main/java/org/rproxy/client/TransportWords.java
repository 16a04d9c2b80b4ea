package org.rproxy.client;

import java.io.IOException;
import java.time.Duration;

import org.rproxy.core.net.TransportFailures;

/**
 * Words for a failed exchange of the JDK's HTTP client: what happened, never the name of an
 * exception class ({@code connection refused}, {@code the host name does not resolve}, {@code no
 * connection within 5s}, {@code the server's certificate is not accepted: ...}, or the JDK's own
 * message when it is a sentence). They are the reasons of the client's {@link ClientException}s
 * and of the {@code rproxy fetch} command's verdicts, so a failure reads the same from either;
 * an application doing HTTP of its own beside the client may word its failures with them too.
 * The words are core's ({@code TransportFailures}), which the push feed uses for a lost stream as
 * well, so a proxy's readiness and the client say the same of the same failure. Stateless.
 */
public final class TransportWords {
    /** What a connection lost without more said is called. */
    public static final String CLOSED = TransportFailures.CLOSED;

    private TransportWords() {
    }

    /**
     * What {@code e} (or one of its causes) says happened, in words: {@link #unreachable} when no
     * connection was made, else the first message that is a sentence, else {@link #CLOSED}.
     */
    public static String of(IOException e) {
        return TransportFailures.of(e);
    }

    /**
     * Why no connection could be made, when that is what {@code e} (or one of its causes) says:
     * {@code connection refused}, {@code connection timed out}, {@code the host name does not
     * resolve} or {@code no route to the host}; else null.
     */
    public static String unreachable(IOException e) {
        return TransportFailures.unreachable(e);
    }

    /**
     * What ran out of time, when {@code e} is the JDK's timeout: {@code no connection within 5s},
     * or {@code what} ({@code no complete response}, say) {@code within 5s}; else null.
     */
    public static String timedOut(IOException e, String what, Duration timeout) {
        return TransportFailures.timedOut(e, what, timeout);
    }

    /**
     * Why the TLS handshake failed, when a TLS failure is among {@code e}'s causes: {@code the
     * server's certificate is not accepted: ...} (an unknown CA, another host name) or {@code TLS
     * handshake failed: ...}, with the innermost message; else null.
     */
    public static String tls(IOException e) {
        return TransportFailures.tls(e);
    }

    /** Whether {@code message} is the JDK's for a chunked body that ended inside a chunk. */
    static boolean cutShortChunked(String message) {
        return TransportFailures.cutShortChunked(message);
    }
}
