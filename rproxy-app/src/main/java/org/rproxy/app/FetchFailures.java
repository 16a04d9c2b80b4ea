package org.rproxy.app;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;

import javax.net.ssl.SSLException;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.config.Durations;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.upstream.LimitedBody;

/**
 * Turns what the JDK's HTTP client throws, and error responses, into an outcome and a reason a
 * person can act on. The JDK's exceptions often carry no message (a refused connection is a
 * {@code ConnectException} with message null), so the reason comes from the exception's type and
 * causes. Stateless; called on the command's thread.
 */
final class FetchFailures {

    /** An outcome other than VALID, with its reason (without the URL, which the caller adds). */
    record Failure(FetchOutcome outcome, String reason) {
    }

    private FetchFailures() {
    }

    static Failure of(IOException e, Duration timeout) {
        if (e instanceof LimitedBody.TooLarge) {
            return new Failure(FetchOutcome.INVALID, e.getMessage());
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new Failure(FetchOutcome.TIMEOUT, "no connection within " + Durations.format(timeout));
        }
        if (e instanceof HttpTimeoutException) {
            return new Failure(FetchOutcome.TIMEOUT, "no complete response within " + Durations.format(timeout));
        }
        SSLException tls = find(e, SSLException.class);
        if (tls != null) {
            CertificateException cert = find(e, CertificateException.class);
            return new Failure(FetchOutcome.TLS_FAILURE, cert != null
                    ? "the server's certificate is not accepted: " + innermost(cert)
                    : "TLS handshake failed: " + innermost(tls));
        }
        if (find(e, UnresolvedAddressException.class) != null || find(e, UnknownHostException.class) != null) {
            return new Failure(FetchOutcome.UNREACHABLE, "unknown host");
        }
        if (e instanceof NoRouteToHostException || find(e, NoRouteToHostException.class) != null) {
            return new Failure(FetchOutcome.UNREACHABLE, "no route to host");
        }
        if (e instanceof ConnectException) {
            return new Failure(FetchOutcome.UNREACHABLE, "connection refused");
        }
        // The JDK says "header parser received no bytes" (an IOException of no finer type) when the
        // server closes the connection without a byte of answer: the same outcome as an EOF mid-answer.
        if (find(e, EOFException.class) != null || String.valueOf(e.getMessage()).contains("received no bytes")) {
            return new Failure(FetchOutcome.INVALID, "the connection closed before a complete response");
        }
        return new Failure(FetchOutcome.INVALID, "not a valid HTTP response: " + innermost(e));
    }

    /**
     * An error status: the ALTO error's code, field and message when the body is one (in either
     * dialect), else the start of the body.
     */
    static Failure refused(int status, String contentType, byte[] body) {
        String head = "status " + status;
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith(MediaTypes.ERROR) || type.startsWith(MediaTypes.XML)) {
            try {
                AltoError error = type.startsWith(MediaTypes.ERROR) ? AltoJson.readError(AltoJson.parse(body))
                        : new XmlCodec().parseError(Bytes.wrap(body));
                return new Failure(FetchOutcome.REFUSED, head + " " + error.code()
                        + (error.field() == null ? "" : " field=" + error.field())
                        + (error.value() == null ? "" : " value=" + shorten(error.value())) + ": " + error.message());
            } catch (RuntimeException notAnError) {
                // Not an ALTO error after all: show what it is instead.
            }
        }
        String text = shorten(new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim());
        return new Failure(FetchOutcome.REFUSED, text.isEmpty() ? head : head + ": " + text);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static String innermost(Throwable t) {
        String message = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        return message == null ? t.getClass().getSimpleName() : shorten(message);
    }

    private static String shorten(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
