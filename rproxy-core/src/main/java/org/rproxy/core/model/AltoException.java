package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

/**
 * Thrown by validation and decoding when input is not acceptable. Carries the {@link AltoError}
 * the front end answers with, or that the file origin reports at start. Cheap: no stack trace is
 * filled in, because it describes a client's or an operator's mistake, not a bug.
 */
public final class AltoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient AltoError error;

    public AltoException(AltoError error) {
        super(requireNonNull(error, "error").message(), null, false, false);
        this.error = error;
    }

    public AltoError error() {
        return error;
    }
}
