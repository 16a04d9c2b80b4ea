package org.rproxy.core.upstream;

/**
 * The upstream could not be asked, did not answer, or answered what cannot be used: connection
 * refused, deadline passed, connection closed, response too large or malformed. The message says
 * which, for logs and for the error a client gets when no valid copy is held; the {@link Kind}
 * says what the client can do about it (the status it gets), and whether the upstream answered.
 */
public final class UpstreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the upstream gave no answer. */
    public enum Kind {
        /** No connection could be made (refused, connect timeout, TLS failure). */
        UNREACHABLE,
        /** Connected and asked, but no whole answer came within the deadline. */
        TIMED_OUT,
        /** Every connection to the upstream stayed busy: the request was never sent. */
        BUSY,
        /** The connection broke (closed or reset before the whole answer, a write failed). */
        FAILED,
        /**
         * The upstream answered, but not with a response this client takes: malformed (not HTTP),
         * a body over the size bound, or a protocol switch never asked for. The upstream is up:
         * the fault is this answer's, so a caller counting an outage of the upstream must not
         * count it as one.
         */
        UNUSABLE,
        /** This client was closed (its node is stopping) before the answer came: no upstream failed. */
        STOPPED
    }

    private final Kind kind;
    private final boolean closedBeforeResponse;

    public UpstreamException(String message) {
        this(message, null, Kind.FAILED, false);
    }

    /** An answer that came and cannot be used ({@link Kind#UNUSABLE}). */
    static UpstreamException unusable(String message, Throwable cause) {
        return new UpstreamException(message, cause, Kind.UNUSABLE, false);
    }

    public UpstreamException(String message, Throwable cause) {
        this(message, cause, Kind.FAILED, false);
    }

    public UpstreamException(String message, Throwable cause, Kind kind) {
        this(message, cause, kind, false);
    }

    public UpstreamException(String message, Throwable cause, boolean closedBeforeResponse) {
        this(message, cause, Kind.FAILED, closedBeforeResponse);
    }

    private UpstreamException(String message, Throwable cause, Kind kind, boolean closedBeforeResponse) {
        super(message, cause);
        this.kind = kind;
        this.closedBeforeResponse = closedBeforeResponse;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * True when the connection went away (closed, reset) before the whole response: safe to ask
     * again on a new one when it was a kept-alive connection.
     */
    boolean closedBeforeResponse() {
        return closedBeforeResponse;
    }
}
