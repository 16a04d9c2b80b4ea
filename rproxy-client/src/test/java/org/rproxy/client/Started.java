package org.rproxy.client;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (origins, publishers, followers), closed after each test in the reverse
 * order of starting: a field marked {@code @AutoClose}. Not itself {@code AutoCloseable}, so that
 * {@code -Xlint:try} does not take it for a resource whose close may be interrupted.
 */
final class Started {
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Keeps {@code resource} to close; returns it. */
    <T extends AutoCloseable> T add(T resource) {
        resources.add(0, resource);
        return resource;
    }

    /** Closes everything kept, the last started first (JUnit calls it for {@code @AutoClose}). */
    public void close() throws Exception {
        for (AutoCloseable c : resources) {
            c.close();
        }
        resources.clear();
    }
}
