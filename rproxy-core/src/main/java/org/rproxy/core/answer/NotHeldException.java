package org.rproxy.core.answer;

/**
 * A query needs a signed document that is not held here (or not in the version the other
 * documents of the answer depend on): the caller forwards the query instead of answering it.
 * Control flow, not an error, so it carries no stack trace. Names, when it is known, the request
 * target of the document that would let the next such query be answered here.
 */
final class NotHeldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The GET target of the missing document, or null when it cannot be fetched from the upstream. */
    private final String target;

    NotHeldException(String what) {
        this(what, null);
    }

    NotHeldException(String what, String target) {
        super(what, null, false, false);
        this.target = target;
    }

    String target() {
        return target;
    }
}
