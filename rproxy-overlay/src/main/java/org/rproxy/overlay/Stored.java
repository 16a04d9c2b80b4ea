package org.rproxy.overlay;

/**
 * How a put or an announcement to the closest DHT nodes went. Immutable.
 *
 * @param nodes   the nodes that took it
 * @param closest the closest nodes that could have (they answered the lookup), at most K
 */
record Stored(int nodes, int closest) {
    Stored {
        if (nodes < 0 || closest < 0) {
            throw new IllegalArgumentException("nodes, closest: " + nodes + ", " + closest + " (expected: >= 0)");
        }
    }

    /** At least half of the closest nodes took it (and at least one did). */
    boolean enough() {
        return nodes > 0 && 2 * nodes >= closest;
    }
}
