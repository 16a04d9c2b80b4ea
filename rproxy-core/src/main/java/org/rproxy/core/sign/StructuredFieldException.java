package org.rproxy.core.sign;

/**
 * A header field value that is not a valid RFC 8941 structured field of the expected type.
 * Describes hostile or broken input, not a bug, so no stack trace is filled in.
 */
final class StructuredFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    StructuredFieldException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
