package org.rproxy.core.origin;

/**
 * A query needs a signed document that is not held here (or not in the version the other
 * documents of the answer depend on): the caller forwards the query instead of answering it.
 * Control flow, not an error, so it carries no stack trace.
 */
final class NotHeldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotHeldException(String what) {
        super(what, null, false, false);
    }
}
