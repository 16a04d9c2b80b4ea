package org.rproxy.core.concurrent;

import java.util.concurrent.CompletionException;

/** What a failed {@code CompletableFuture} stage failed with. Stateless. */
public final class Completions {

    private Completions() {
    }

    /**
     * The failure {@code t} wraps when it is a {@link CompletionException} with a cause (as a
     * dependent stage sees the failure of the stage it depends on), else {@code t} itself. One
     * level only: a {@code CompletionException} thrown as such by a task is kept as what it is.
     */
    public static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
