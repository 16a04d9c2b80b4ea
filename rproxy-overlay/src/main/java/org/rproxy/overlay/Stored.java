package org.rproxy.overlay;

/**
 * How a put or an announcement to the closest DHT nodes went. Immutable.
 *
 * @param nodes    the nodes that took it (for a put: that answered a get with it afterwards, {@link HeldCheck})
 * @param closest  the closest nodes that could have (they answered the lookup), at most K
 * @param newerSeq for a put: the seq of the newer version of the same item (key and salt) that
 *                 the lookup found on the nodes, which refuse this one (BEP 44: a put of a lower
 *                 seq than the one stored fails, error 302, and readers take the highest); -1
 *                 when no node holds a newer one, and for an announcement
 */
record Stored(int nodes, int closest, long newerSeq) {
    Stored {
        if (nodes < 0 || closest < 0) {
            throw new IllegalArgumentException("nodes, closest: " + nodes + ", " + closest + " (expected: >= 0)");
        }
        if (newerSeq < -1) {
            throw new IllegalArgumentException("newerSeq: " + newerSeq + " (expected: >= -1)");
        }
    }

    /** A store with no newer version in the way. */
    Stored(int nodes, int closest) {
        this(nodes, closest, -1);
    }

    /** At least half of the closest nodes took it (and at least one did). */
    boolean enough() {
        return nodes > 0 && 2 * nodes >= closest;
    }

    /**
     * Whether the nodes hold a newer version of the item put ({@link #newerSeq}): trying again
     * cannot help until they forget it.
     */
    boolean superseded() {
        return newerSeq >= 0;
    }
}
