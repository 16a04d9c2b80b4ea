package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

/**
 * One ALTO error (RFC 7285 §8.5.2): a code, the field at fault, the offending value and a
 * human-readable reason. {@code field}, {@code value} and {@code syntaxError} may be null; so
 * may {@code code}, for a {@linkplain #serverCondition server condition} alone.
 *
 * <p>Values, field names and messages often quote what a client sent (a body of up to 1 MiB, a
 * PID name, a path), and every error body, log line and passed-on upstream error is built from
 * this record: so the constructor caps them ({@link ErrorText}), and no error echoes more than a
 * few hundred characters of its input, whatever path produced it.
 *
 * @param code        the registry code, or null for a server condition (a 5xx, which answers with
 *                    no ALTO error resource: {@link #serverCondition})
 * @param field       the full path of the field at fault, members joined by {@code /} as in §8.5.2
 *                    ({@code "cost-type/cost-metric"}; a request's array element is named by its
 *                    array, {@code "pids/srcs"}, a document's by its index,
 *                    {@code "network-map/PID1/ipv4[2]"}), or null
 * @param value       the offending value as the client sent it, or null
 * @param message     a short reason in English, never a stack trace
 * @param httpStatus  the HTTP status to answer with (4xx for a client's mistake)
 */
public record AltoError(AltoErrorCode code, String field, String value, String message, int httpStatus) {

    public AltoError {
        requireNonNull(message, "message");
        field = ErrorText.cap(field, ErrorText.FIELD);
        value = ErrorText.cap(value, ErrorText.VALUE);
        message = ErrorText.cap(message, ErrorText.MESSAGE);
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 400-599)");
        }
        if (code == null && httpStatus < 500) {
            throw new IllegalArgumentException("code: missing for status " + httpStatus + " (expected: a code for a"
                    + " request's error; only a server condition, 5xx, has none)");
        }
    }

    public static AltoError of(AltoErrorCode code, String field, String value, String message) {
        return new AltoError(code, field, value, message, code.httpStatus());
    }

    public static AltoError syntax(String message) {
        return of(AltoErrorCode.E_SYNTAX, null, null, message);
    }

    public static AltoError missingField(String field) {
        return of(AltoErrorCode.E_MISSING_FIELD, field, null, "missing field: " + field);
    }

    public static AltoError invalidType(String field, String expected) {
        return of(AltoErrorCode.E_INVALID_FIELD_TYPE, field, null, field + ": expected " + expected);
    }

    public static AltoError invalidValue(String field, String value, String reason) {
        return of(AltoErrorCode.E_INVALID_FIELD_VALUE, field, value, field + ": " + reason);
    }

    /**
     * A condition of the server, not of the request (500, 502, 503, 504): the origin starting or
     * stopping, overload, an upstream with no valid copy. It has no ALTO code: RFC 7285 §8.5.2
     * requires an error resource's {@code code} to be a registered one, and every registered code
     * (E_SYNTAX, E_MISSING_FIELD, E_INVALID_FIELD_TYPE, E_INVALID_FIELD_VALUE) says what is wrong
     * with the request; §8.5 lets a server leave the error resource out when it has no ALTO-layer
     * information, and §8.5.3 answers overload with the status (503, {@code Retry-After}) alone.
     * So it is answered with its status and its message as plain text ({@link MediaTypes#TEXT}),
     * never as an {@code application/alto-error+json} whose code a client would take for a fault
     * of its request; the status is what a client acts on (retry later, elsewhere).
     */
    public static AltoError serverCondition(String message, int httpStatus) {
        if (httpStatus < 500 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 500-599)");
        }
        return new AltoError(null, null, null, message, httpStatus);
    }

    /** True for a {@linkplain #serverCondition server condition}: no ALTO code, answered as plain text. */
    public boolean isServerCondition() {
        return code == null;
    }

    /** The same error answered with another HTTP status (for example 404, 413 or 415). */
    public AltoError withStatus(int status) {
        return new AltoError(code, field, value, message, status);
    }
}
