package org.rproxy.core.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

/**
 * The rules of RFC 9112 on a request head that Netty's decoder does not enforce, in one place
 * ({@link RequestAssembler} asks before anything else reads the head). Netty already refuses a
 * {@code Content-Length} that is not one non-negative number (repeated values, even equal ones,
 * included); it accepts the rest, which this class refuses:
 *
 * <ul>
 *   <li>{@code Transfer-Encoding} with {@code Content-Length} (§6.3: the smuggling desync), or in
 *       an HTTP/1.0 request (§6.1): 400, and the connection closes since the body's end is unknown;
 *   <li>{@code chunked} not the final coding, or applied twice, or no coding at all (§6.3): 400 and close;
 *   <li>any other transfer coding ({@code gzip}, {@code xchunked}...), which this server does not
 *       implement (§6.1): 501 and close;
 *   <li>an HTTP/1.1 request without exactly one {@code Host} (§3.2): 400;
 *   <li>a body with a {@code Content-Encoding} other than {@code identity} (RFC 9110 §8.4), which
 *       no service decodes: 415 with {@code Accept-Encoding: identity} (RFC 9110 §15.5.16,
 *       §12.5.3), before the body is read.
 * </ul>
 *
 * Stateless; runs on the event loop.
 */
final class HeadRules {

    private static final String CHUNKED = "chunked";

    private HeadRules() {
    }

    /** Why the body of {@code req} cannot be framed (answer, then close), or null. */
    static AltoError framing(HttpRequest req) {
        HttpHeaders h = req.headers();
        List<String> fields = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (fields.isEmpty()) {
            return null;
        }
        String value = String.join(", ", fields);
        boolean withLength = h.contains(HttpHeaderNames.CONTENT_LENGTH)
                || h instanceof ReceivedHeaders r && r.contentLengthDropped();
        if (withLength) {
            return invalid(value, "sent with content-length (expected: one or the other, RFC 9112 §6.3)", 400);
        }
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return invalid(value, "not defined in HTTP/1.0 (RFC 9112 §6.1)", 400);
        }
        List<String> codings = codings(fields);
        int chunked = (int) codings.stream().filter(CHUNKED::equals).count();
        if (codings.isEmpty() || chunked > 1 || chunked == 1 && !codings.get(codings.size() - 1).equals(CHUNKED)) {
            return invalid(value, "chunked must be the final coding, applied once (RFC 9112 §6.3)", 400);
        }
        for (String coding : codings) {
            if (!coding.equals(CHUNKED)) {
                return invalid(value, "transfer coding " + coding + " not implemented (expected: chunked)", 501);
            }
        }
        return null;
    }

    /** Why the {@code Host} of an HTTP/1.1 request is wrong, or null (HTTP/1.0 needs none). */
    static AltoError host(HttpRequest req) {
        if (req.protocolVersion().minorVersion() == 0) {
            return null;
        }
        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) {
            return AltoError.of(AltoErrorCode.E_MISSING_FIELD, "host", null,
                    "missing field: host (required in HTTP/1.1, RFC 9112 §3.2)");
        }
        if (hosts.size() > 1) {
            return AltoError.invalidValue("host", String.join(", ", hosts),
                    "more than one field (expected: exactly one, RFC 9112 §3.2)");
        }
        return null;
    }

    /**
     * Why the body of {@code req} cannot be taken as it is: a content coding other than
     * {@code identity}, or null. Only asked when the request has a body.
     */
    static AltoError contentEncoding(HttpRequest req) {
        List<String> fields = req.headers().getAll(HttpHeaderNames.CONTENT_ENCODING);
        for (String coding : codings(fields)) {
            if (!coding.equals("identity")) {
                return AltoError.invalidValue("content-encoding", String.join(", ", fields),
                        "content coding " + coding + " not supported (expected: identity, RFC 9110 §15.5.16)")
                        .withStatus(415);
            }
        }
        return null;
    }

    /**
     * The reason a request the decoder refused has a bad {@code Content-Length} (several values,
     * or not a number), or null when that field is not what is wrong.
     */
    static AltoError contentLength(HttpRequest req) {
        List<String> fields = req.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (fields.isEmpty()) {
            return null;
        }
        String value = String.join(", ", fields);
        if (fields.size() > 1 || value.indexOf(',') >= 0) {
            return AltoError.invalidValue("content-length", value,
                    "more than one value (expected: exactly one, RFC 9112 §6.3)");
        }
        String v = value.trim();
        if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9') || v.length() > 18) {
            return AltoError.invalidValue("content-length", value, "not a number of bytes (RFC 9110 §8.6)");
        }
        return null;
    }

    private static AltoError invalid(String value, String reason, int status) {
        return AltoError.invalidValue("transfer-encoding", value, reason).withStatus(status);
    }

    /** The codings in order, lower case, without parameters; empty list elements skipped (RFC 9110 §5.6.1). */
    private static List<String> codings(List<String> fields) {
        List<String> codings = new ArrayList<>();
        for (String field : fields) {
            for (String element : field.split(",", -1)) {
                int semicolon = element.indexOf(';');
                String coding = (semicolon < 0 ? element : element.substring(0, semicolon))
                        .trim().toLowerCase(Locale.ROOT);
                if (!coding.isEmpty()) {
                    codings.add(coding);
                }
            }
        }
        return codings;
    }
}
