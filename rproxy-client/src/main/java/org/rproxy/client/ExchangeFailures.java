package org.rproxy.client;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.net.TransportFailures;

/**
 * Names a failed exchange of the client's as the {@link ClientException} an application and the
 * source's health act on: the status and ALTO error of a refusal, a lost or truncated connection,
 * TLS, or an answer that is no HTTP at all, which is the source's fault like a response that
 * does not verify, not a network's (the words are core's {@link TransportFailures}, as
 * {@code rproxy fetch} words them). Stateless.
 */
final class ExchangeFailures {
    /** The JDK's words for a body that ended before its {@code Content-Length}. */
    private static final Pattern CUT_SHORT = Pattern.compile("fixed content-length: (\\d+), bytes received: (\\d+)");

    private ExchangeFailures() {
    }

    /**
     * A failed exchange as the exception naming it: TLS when a handshake failure is among its
     * causes, a truncated response when the body ended short of its length, an invalid response
     * when what came is no HTTP answer (the JDK's {@link ProtocolException}: a head past its size
     * bound, endless interim answers, a protocol switch not asked for), else unreachable.
     */
    static ClientException transportFailure(URI uri, IOException e) {
        ClientException tls = tlsFailure(uri, e);
        if (tls != null) {
            return tls;
        }
        Matcher m = CUT_SHORT.matcher(String.valueOf(e.getMessage()));
        if (m.find()) {
            return ClientException.Unreachable.lost(uri, "truncated response (" + m.group(2) + " of " + m.group(1)
                    + " bytes)", e);
        }
        if (TransportFailures.cutShortChunked(e.getMessage())) {
            return ClientException.Unreachable.lost(uri, "truncated response (the connection closed inside a chunk)", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProtocolException notHttp) { // it answered, so it is reachable: what it sent is the fault
                return new ClientException.InvalidResponse(uri, "not a valid HTTP response: " + TransportFailures.of(t), notHttp);
            }
        }
        return new ClientException.Unreachable(uri, TransportFailures.of(e), e);
    }

    /** An update stream whose read failed: TLS, else it closed mid-way, naming its source. */
    static ClientException streamFailure(URI uri, IOException e) {
        ClientException tls = tlsFailure(uri, e);
        if (tls != null) {
            return tls;
        }
        String why = TransportFailures.of(e);
        return ClientException.Unreachable.lost(uri, "the update stream from " + uri.getAuthority() + " closed"
                + (why.equals(TransportFailures.CLOSED) ? " mid-way" : " mid-way: " + why), e);
    }

    private static ClientException tlsFailure(URI uri, IOException e) {
        String why = TransportFailures.tls(e);
        return why == null ? null : new ClientException.TlsFailure(uri, why, e);
    }

    /** An answer other than 200: its status, and the ALTO error's code and field when its body is one. */
    static ClientException.Refused refused(URI uri, int status, String type, byte[] body) {
        String code = null;
        String field = null;
        if (type.startsWith(MediaTypes.ERROR)) {
            try {
                JsonNode meta = Jcs.parse(body).path("meta");
                code = meta.path("code").isTextual() ? meta.path("code").textValue() : null;
                field = meta.path("field").isTextual() ? meta.path("field").textValue() : null;
            } catch (RuntimeException e) {
                // not the error object it claims to be: the status alone says it
            }
        }
        return new ClientException.Refused(uri, status, code, field);
    }
}
