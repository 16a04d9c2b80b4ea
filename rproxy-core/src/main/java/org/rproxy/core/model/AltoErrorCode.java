package org.rproxy.core.model;

/**
 * The error codes of the ALTO error registry (RFC 7285 §8.5.2, §14.6).
 *
 * <p>Each code carries the HTTP status it is answered with by default; the front end may use a
 * more specific status (404, 405, 413, 415, 431) for errors about the request itself rather than
 * about an ALTO field.
 */
public enum AltoErrorCode {
    /** The request body does not parse (bad JSON or XML). */
    E_SYNTAX(400),
    /** A required field is absent. */
    E_MISSING_FIELD(400),
    /** A field has the wrong JSON type. */
    E_INVALID_FIELD_TYPE(400),
    /** A field has a value that is not allowed (unknown PID, bad address, unknown cost type...). */
    E_INVALID_FIELD_VALUE(400);

    private final int httpStatus;

    AltoErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status this code is answered with when nothing more specific applies. */
    public int httpStatus() {
        return httpStatus;
    }
}
