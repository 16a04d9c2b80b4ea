package org.rproxy.app;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.rproxy.core.config.ConfigException;

/**
 * The refusals of a node's options, gathered so that the node's start and {@code rproxy check}
 * tell them all at once, one a line, instead of the first alone: an operator fixing a command
 * line one refusal per run was slow. Each check that does not need another's result runs
 * whatever the others found; one whose value the rest needs stops there ({@link #throwIfAny}).
 * Used by one thread.
 */
final class OptionProblems {
    private final List<RuntimeException> found = new ArrayList<>();

    /** Keeps {@code refusal}, found by a check made in place. */
    void add(RuntimeException refusal) {
        found.add(refusal);
    }

    /** Runs {@code check}, keeping what it refused. */
    void check(Runnable check) {
        try {
            check.run();
        } catch (RuntimeException e) {
            found.add(e);
        }
    }

    /** What {@code make} gives, or {@code otherwise} when it refused (kept). */
    <T> T value(Supplier<T> make, T otherwise) {
        try {
            return make.get();
        } catch (RuntimeException e) {
            found.add(e);
            return otherwise;
        }
    }

    /** {@code settings} with {@code change} applied, or as they were when it refused (kept). */
    <T> T apply(T settings, UnaryOperator<T> change) {
        return value(() -> change.apply(settings), settings);
    }

    /**
     * Throws what was refused: one refusal as it came (its type and cause tell the exit status: a
     * host name that did not resolve is worth starting again), several as one
     * {@link ConfigException} of a line each.
     */
    void throwIfAny() {
        if (found.size() == 1) {
            throw found.get(0);
        }
        if (!found.isEmpty()) {
            throw new ConfigException(found.stream().map(Main::message).collect(Collectors.joining("\n")));
        }
    }
}
