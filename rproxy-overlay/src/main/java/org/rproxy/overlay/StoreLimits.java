package org.rproxy.overlay;

/**
 * How much a DHT node stores for others (see {@link StoreQuota}). Immutable.
 *
 * @param items     the BEP 44 items the node keeps after each trim (its own pointers included)
 * @param perSource the items one source network (a /24 or /64) may have on the node
 * @param peers     the BEP 5 peer entries (announce_peer) the node takes in all
 * @param peersPerSource the peer entries one source network may have on the node
 */
record StoreLimits(int items, int perSource, int peers, int peersPerSource) {
    /**
     * The bounds every overlay node runs with: 10,000 items of at most 1,000 bytes of value each
     * (BEP 44's limit, which mldht enforces), so some 13 MB of heap at most; 500 per source
     * network, so that a publisher's few hundred pointers fit; and as many peer entries (each
     * well under 100 bytes).
     */
    static final StoreLimits DEFAULT = new StoreLimits(10_000, 500, 10_000, 500);

    StoreLimits {
        if (items < 1 || perSource < 1 || peers < 1 || peersPerSource < 1) {
            throw new IllegalArgumentException("store limits must be positive: " + items + ", " + perSource
                    + ", " + peers + ", " + peersPerSource);
        }
    }

    /** The items the node may hold between two trims: {@link #items} and an eighth more. */
    int ceiling() {
        return items + Math.max(1, items / 8);
    }
}
