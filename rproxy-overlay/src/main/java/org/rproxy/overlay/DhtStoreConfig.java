package org.rproxy.overlay;

/**
 * How much a node's DHT stores for other nodes, the {@code dht-store} section of the overlay
 * file (see {@link OverlayConfig}); a key left out keeps its default. The per-network bounds
 * count a source's /24 (IPv4) or /64 (IPv6): raise them where many peers share few addresses
 * (a carrier-grade NAT puts a whole city's viewers behind one /24).
 *
 * <pre>
 * dht-store:
 *   items: 10000              # BEP 44 items (at most 1,000 bytes each) kept for others
 *   per-network: 500          # of those, from one /24 or /64
 *   peers: 10000              # BEP 5 peer entries (announce_peer) taken
 *   peers-per-network: 500    # of those, from one /24 or /64
 * </pre>
 *
 * @param items           the BEP 44 items kept after each trim, 1 to {@value #MAX}
 * @param perNetwork      the items one source network may have, 1 to {@code items}
 * @param peers           the peer entries taken in all, 1 to {@value #MAX}
 * @param peersPerNetwork the peer entries one source network may have, 1 to {@code peers}
 */
public record DhtStoreConfig(Integer items, Integer perNetwork, Integer peers, Integer peersPerNetwork) {
    /** The most of either kind a node may be told to keep: about 1.3 GB of heap for items. */
    public static final int MAX = 1_000_000;

    /** Every bound at its default. */
    public static final DhtStoreConfig DEFAULT = new DhtStoreConfig(null, null, null, null);

    public DhtStoreConfig {
        StoreLimits d = StoreLimits.DEFAULT;
        items = bounded(items, d.items(), MAX, "items", "");
        perNetwork = bounded(perNetwork, Math.min(d.perSource(), items), items, "per-network", ", at most items");
        peers = bounded(peers, d.peers(), MAX, "peers", "");
        peersPerNetwork = bounded(peersPerNetwork, Math.min(d.peersPerSource(), peers), peers, "peers-per-network",
                ", at most peers");
    }

    /** The limits a node runs with. */
    StoreLimits limits() {
        return new StoreLimits(items, perNetwork, peers, peersPerNetwork);
    }

    private static int bounded(Integer value, int fallback, int max, String key, String why) {
        int v = value == null ? fallback : value;
        if (v < 1 || v > max) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: 1 to " + max + why + ")");
        }
        return v;
    }
}
