package org.rproxy.pull;

/**
 * The upstream could not be asked or did not answer: connection refused, deadline passed,
 * connection closed, response too large or malformed. The message says which, for logs and for
 * the 504 a client gets when no valid copy is held.
 */
public final class UpstreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean closedBeforeResponse;

    public UpstreamException(String message) {
        this(message, null, false);
    }

    public UpstreamException(String message, Throwable cause) {
        this(message, cause, false);
    }

    UpstreamException(String message, Throwable cause, boolean closedBeforeResponse) {
        super(message, cause);
        this.closedBeforeResponse = closedBeforeResponse;
    }

    /** True when the connection went away before any response: safe to ask again on a new one. */
    boolean closedBeforeResponse() {
        return closedBeforeResponse;
    }
}
