package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

import lbms.plugins.mldht.kad.DHTConstants;
import lbms.plugins.mldht.kad.Key;

import org.rproxy.overlay.StoreQuota.Admission;

/**
 * The bound on the BEP 5 peer entries ({@code announce_peer}) a DHT node takes from others:
 * mldht keeps up to 6,000 per infohash for an hour, with no total, and one address may announce
 * many ports on many infohashes. A new entry (infohash, address, port) is taken while the node
 * counts fewer than {@link StoreLimits#peers()} and its source's network (/24 or /64) fewer than
 * {@link StoreLimits#peersPerSource()}; a repeated announce of an entry counted is always taken
 * (it refreshes it). mldht's peer store cannot be trimmed from outside, so the count is of the
 * entries taken in the last hour and some (mldht's age, plus the period of its expiry), which
 * is never less than what mldht holds of them. {@link #reserve} and {@link #settle} run on
 * mldht's threads (map updates under this quota's lock), {@link #trim} on the node's own timer.
 * Thread-safe.
 */
final class PeerQuota {
    /** How long an entry counts: mldht's age of a peer entry and the period of its expiry run. */
    static final long COUNTED_MILLIS = (long) DHTConstants.MAX_ITEM_AGE + DHTConstants.CHECK_FOR_EXPIRED_ENTRIES;

    private final StoreLimits limits;
    /** When each entry counted was last announced, by entry. Guarded by this. */
    private final Map<Entry, Long> entries = new HashMap<>();
    /** How many entries each source network has counted, reserved ones included. Guarded by this. */
    private final SourceCounts counts = new SourceCounts();

    /** One peer entry: who announced which infohash, and the port it gave. */
    private record Entry(Key infoHash, InetAddress from, int port) {
    }

    PeerQuota(StoreLimits limits) {
        this.limits = requireNonNull(limits, "limits");
    }

    /**
     * Decides on an announce of {@code infoHash} from {@code from} with {@code port}: an entry
     * counted is always taken; a new one only under both bounds, counted at once until
     * {@link #settle}.
     */
    synchronized Admission reserve(Key infoHash, InetAddress from, int port) {
        if (entries.containsKey(new Entry(infoHash, from, port))) {
            return Admission.HELD;
        }
        return counts.reserve(StoreQuota.network(from), entries.size(), limits.peers(), limits.peersPerSource());
    }

    /**
     * Settles an announce {@link #reserve} let through: {@code stored} says whether mldht holds
     * the entry now, announced at {@code now} (epoch millis).
     */
    synchronized void settle(Admission admission, Key infoHash, InetAddress from, int port, boolean stored, long now) {
        boolean first = stored && entries.put(new Entry(infoHash, from, port), now) == null;
        counts.settle(admission, StoreQuota.network(from), first);
    }

    /** Stops counting the entries not announced again within {@link #COUNTED_MILLIS} of {@code now}. */
    synchronized void trim(long now) {
        entries.entrySet().removeIf(e -> {
            if (now - e.getValue() < COUNTED_MILLIS) {
                return false;
            }
            counts.release(StoreQuota.network(e.getKey().from()));
            return true;
        });
    }

    /** The peer entries counted now. */
    synchronized int size() {
        return entries.size();
    }
}
