package org.rproxy.pull;

import java.util.ArrayList;
import java.util.List;

/**
 * Why the proxy is not ready, item by item, as {@code /readyz} says it: every item up to
 * {@link #MAX_LISTED}, then how many more, so that the answer names every reason an operator must
 * act on without growing with a thousand resources. Not thread-safe: one per readiness check.
 */
final class Reasons {

    /** The most items named; the rest are counted ("and N more"). */
    static final int MAX_LISTED = 5;

    private final List<String> listed = new ArrayList<>();
    private int count;

    /** Adds an item. */
    void add(String item) {
        if (count++ < MAX_LISTED) {
            listed.add(item);
        }
    }

    /** Items added. */
    int count() {
        return count;
    }

    /** The items named, joined by {@code "; "}, and {@code "; and N more"} past {@link #MAX_LISTED}. */
    @Override
    public String toString() {
        String named = String.join("; ", listed);
        return count > listed.size() ? named + "; and " + (count - listed.size()) + " more" : named;
    }
}
