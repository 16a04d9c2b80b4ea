package org.rproxy.overlay;

import java.util.HashMap;
import java.util.Map;

import org.rproxy.overlay.StoreQuota.Admission;

/**
 * The reservation bookkeeping both DHT quotas share ({@link StoreQuota} for BEP 44 items,
 * {@link PeerQuota} for BEP 5 peer entries): how many entries each source network holds,
 * reservations included, and how many reservations are not yet settled. A request is reserved
 * before mldht handles it, so that requests handled side by side cannot pass a bound together,
 * and settled once it is known whether mldht stored a new entry.
 *
 * <p>Not thread-safe: its owner calls it under its own lock.
 */
final class SourceCounts {
    /** How many entries each source network has, reserved ones included. */
    private final Map<String, Integer> perSource = new HashMap<>();
    /** Requests reserved and not yet settled. */
    private int pending;

    /**
     * Reserves one entry for {@code network} when the node's {@code held} entries plus those
     * reserved stay under {@code ceiling} and the network's under {@code perSourceLimit}.
     */
    Admission reserve(String network, int held, int ceiling, int perSourceLimit) {
        if (held + pending >= ceiling || perSource.getOrDefault(network, 0) >= perSourceLimit) {
            return Admission.REFUSED;
        }
        pending++;
        perSource.merge(network, 1, Integer::sum);
        return Admission.RESERVED;
    }

    /**
     * Settles a request: {@code first} says it stored an entry not counted before. A reservation
     * that stored nothing new is released; a new entry taken without one (an update that turned
     * out new, in a race) is counted now.
     */
    void settle(Admission admission, String network, boolean first) {
        if (admission == Admission.RESERVED) {
            pending--;
            if (!first) {
                release(network);
            }
        } else if (first) {
            perSource.merge(network, 1, Integer::sum);
        }
    }

    /** One entry of {@code network} is no longer held. */
    void release(String network) {
        perSource.computeIfPresent(network, (n, c) -> c > 1 ? c - 1 : null);
    }

    /** The entries counted for {@code network}. */
    int of(String network) {
        return perSource.getOrDefault(network, 0);
    }
}
