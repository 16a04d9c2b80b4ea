package org.rproxy.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.net.TransportFailures;
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

    /**
     * A failed exchange, worded as the client library words it ({@link TransportFailures}), so that
     * {@code rproxy fetch URL} and {@code rproxy fetch --origin} say the same of the same failure;
     * the outcome (the exit code) is the command's own: a connection closed before a complete
     * response, or anything else that is no HTTP answer, is INVALID here.
     */
    static Failure of(IOException e, Duration timeout) {
        if (e instanceof LimitedBody.TooLarge) {
            return new Failure(FetchOutcome.INVALID, e.getMessage());
        }
        String late = TransportFailures.timedOut(e, "no complete response", timeout);
        if (late != null) {
            return new Failure(FetchOutcome.TIMEOUT, late);
        }
        String tls = TransportFailures.tls(e);
        if (tls != null) {
            return new Failure(FetchOutcome.TLS_FAILURE, tls);
        }
        String none = TransportFailures.unreachable(e);
        if (none != null) {
            return new Failure(FetchOutcome.UNREACHABLE, none);
        }
        String why = TransportFailures.of(e);
        return new Failure(FetchOutcome.INVALID, why.equals(TransportFailures.CLOSED)
                ? TransportFailures.CLOSED + " before a complete response" : "not a valid HTTP response: " + why);
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

    private static String shorten(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
