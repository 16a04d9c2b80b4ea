package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import lbms.plugins.mldht.kad.DHTConstants;
import lbms.plugins.mldht.kad.Key;

/**
 * The bound on the BEP 5 peer entries ({@code announce_peer}) a DHT node takes from others:
 * mldht keeps up to 6,000 per infohash for an hour, with no total, and one address may announce
 * many ports on many infohashes. A new entry (infohash, address, port) is taken while the node
 * counts fewer than {@link StoreLimits#peers()} and its source's network (/24 or /64) fewer than
 * {@link StoreLimits#peersPerSource()}; a repeated announce of an entry counted is always taken
 * (it refreshes it). mldht's peer store cannot be trimmed from outside, so the count is of the
 * entries taken in the last hour and some (mldht's age, plus the period of its expiry), which
 * is never less than what mldht holds of them. {@link #admits} and {@link #stored} run on
 * mldht's threads, {@link #trim} on the node's own timer. Thread-safe.
 */
final class PeerQuota {
    /** How long an entry counts: mldht's age of a peer entry and the period of its expiry run. */
    static final long COUNTED_MILLIS = (long) DHTConstants.MAX_ITEM_AGE + DHTConstants.CHECK_FOR_EXPIRED_ENTRIES;

    private final StoreLimits limits;
    /** When each entry counted was last announced, by entry. */
    private final Map<Entry, Long> entries = new ConcurrentHashMap<>();
    /** How many entries each source network has counted. */
    private final Map<String, Integer> perSource = new ConcurrentHashMap<>();

    /** One peer entry: who announced which infohash, and the port it gave. */
    private record Entry(Key infoHash, InetAddress from, int port) {
    }

    PeerQuota(StoreLimits limits) {
        this.limits = requireNonNull(limits, "limits");
    }

    /** Whether an announce of {@code infoHash} from {@code from} with {@code port} may be stored. */
    boolean admits(Key infoHash, InetAddress from, int port) {
        if (entries.containsKey(new Entry(infoHash, from, port))) {
            return true;
        }
        return entries.size() < limits.peers()
                && perSource.getOrDefault(StoreQuota.network(from), 0) < limits.peersPerSource();
    }

    /** Records an announce taken at {@code now} (epoch millis). */
    void stored(Key infoHash, InetAddress from, int port, long now) {
        if (entries.put(new Entry(infoHash, from, port), now) == null) {
            perSource.merge(StoreQuota.network(from), 1, Integer::sum);
        }
    }

    /** Stops counting the entries not announced again within {@link #COUNTED_MILLIS} of {@code now}. */
    void trim(long now) {
        entries.entrySet().removeIf(e -> {
            if (now - e.getValue() < COUNTED_MILLIS) {
                return false;
            }
            perSource.computeIfPresent(StoreQuota.network(e.getKey().from()), (n, c) -> c > 1 ? c - 1 : null);
            return true;
        });
    }

    /** The peer entries counted now. */
    int size() {
        return entries.size();
    }
}
