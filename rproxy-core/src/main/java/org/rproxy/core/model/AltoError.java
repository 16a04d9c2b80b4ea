package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

/**
 * One ALTO error (RFC 7285 §8.5.2): a code, the field at fault, the offending value and a
 * human-readable reason. {@code field}, {@code value} and {@code syntaxError} may be null.
 *
 * <p>Values, field names and messages often quote what a client sent (a body of up to 1 MiB, a
 * PID name, a path), and every error body, log line and passed-on upstream error is built from
 * this record: so the constructor caps them ({@link ErrorText}), and no error echoes more than a
 * few hundred characters of its input, whatever path produced it.
 *
 * @param code        the registry code
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
        requireNonNull(code, "code");
        requireNonNull(message, "message");
        field = ErrorText.cap(field, ErrorText.FIELD);
        value = ErrorText.cap(value, ErrorText.VALUE);
        message = ErrorText.cap(message, ErrorText.MESSAGE);
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 400-599)");
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
     * stopping, overload, an upstream with no valid copy. RFC 7285 §8.5.2 registers no code for
     * it; every part of rproxy uses {@code E_SYNTAX} with no field, so clients can rely on one
     * form, and the HTTP status is what a client acts on (retry later, elsewhere).
     */
    public static AltoError serverCondition(String message, int httpStatus) {
        if (httpStatus < 500 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 500-599)");
        }
        return new AltoError(AltoErrorCode.E_SYNTAX, null, null, message, httpStatus);
    }

    /** The same error answered with another HTTP status (for example 404, 413 or 415). */
    public AltoError withStatus(int status) {
        return new AltoError(code, field, value, message, status);
    }
}
