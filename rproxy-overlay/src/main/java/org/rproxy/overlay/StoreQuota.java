package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.Key;

/**
 * The bound on the BEP 44 items a DHT node stores for others (mldht checks only the put's token
 * and keeps an item 2 h, so without it anyone could fill the node's heap): new items are taken
 * while the node holds fewer than {@link StoreLimits#ceiling()} and their source's network (its
 * /24 for IPv4, its /64 for IPv6) fewer than {@link StoreLimits#perSource()}; a newer version of
 * an item held is always taken (it replaces it). {@link #trim} then brings the store back to
 * {@link StoreLimits#items()}, dropping the items farthest from the node's id first (those it is
 * least responsible for; the closest are the ones lookups come to it for), never this node's
 * own pointers. Items on the node without a recorded source (taken in a race, or before) count
 * towards the total only.
 *
 * <p>{@link #reserve} and {@link #settle} run on mldht's threads and are cheap (map updates under
 * this quota's lock); {@link #trim} runs on the node's own timer. Thread-safe.
 */
final class StoreQuota {
    /** What {@link #reserve} decided for one put. */
    enum Admission {
        /** Refused: the node or the source's network is at its bound. */
        REFUSED,
        /** A new item, counted ahead for its source: {@link #settle} keeps or releases it. */
        RESERVED,
        /** An item the node holds already (an update), or one of its own pointers: not bounded. */
        HELD
    }

    private final StoreLimits limits;
    /** The targets of this node's own pointers: never trimmed. */
    private final Set<Key> own = ConcurrentHashMap.newKeySet();
    /** The source network of each item taken, by target. Guarded by this. */
    private final Map<Key, String> sources = new HashMap<>();
    /** How many items each source network has on the node, reserved ones included. Guarded by this. */
    private final SourceCounts counts = new SourceCounts();

    StoreQuota(StoreLimits limits) {
        this.limits = requireNonNull(limits, "limits");
    }

    StoreLimits limits() {
        return limits;
    }

    /**
     * Decides on a put of {@code target} from {@code from}, {@code items} being what the node
     * holds: an item held is always taken; a new one only under both bounds, counted at once (so
     * that puts handled side by side cannot pass a bound together) until {@link #settle}.
     */
    synchronized Admission reserve(Key target, InetAddress from, Map<Key, StorageItem> items) {
        if (items.containsKey(target) || own.contains(target)) {
            return Admission.HELD;
        }
        return counts.reserve(network(from), items.size(), limits.ceiling(), limits.perSource());
    }

    /**
     * Settles a put {@link #reserve} let through: {@code stored} says whether the node holds
     * {@code target} now. An item's first source keeps the count; a reservation that stored
     * nothing new is released.
     */
    synchronized void settle(Admission admission, Key target, InetAddress from, boolean stored) {
        String network = network(from);
        boolean first = stored && !sources.containsKey(target);
        if (first) {
            sources.put(target, network);
        }
        counts.settle(admission, network, first);
    }

    /** {@code target} is one of this node's own pointers: never trimmed. */
    void own(Key target) {
        own.add(requireNonNull(target, "target"));
    }

    /**
     * Forgets the sources of items no longer held (expired), then removes from {@code items}
     * (mldht's own map) the items farthest from {@code ourId} until at most
     * {@link StoreLimits#items()} remain, this node's own pointers kept.
     *
     * @return the number of items removed
     */
    synchronized int trim(Map<Key, StorageItem> items, Key ourId) {
        sources.entrySet().removeIf(e -> {
            if (items.containsKey(e.getKey())) {
                return false;
            }
            counts.release(e.getValue());
            return true;
        });
        int excess = items.size() - limits.items();
        if (excess <= 0) {
            return 0;
        }
        List<Key> others = new ArrayList<>(items.size());
        for (Key k : items.keySet()) {
            if (!own.contains(k)) {
                others.add(k);
            }
        }
        others.sort(Comparator.comparing((Key k) -> k.distance(ourId)).reversed());
        int removed = 0;
        for (Key k : others.subList(0, Math.min(excess, others.size()))) {
            if (items.remove(k) != null) {
                removed++;
            }
            String network = sources.remove(k);
            if (network != null) {
                counts.release(network);
            }
        }
        return removed;
    }

    /** The items counted for {@code from}'s network (its /24 or /64). */
    synchronized int fromNetworkOf(InetAddress from) {
        return counts.of(network(from));
    }

    /** The network a source address counts under: its /24 (IPv4) or /64 (IPv6). */
    static String network(InetAddress from) {
        byte[] a = from.getAddress();
        return (from instanceof Inet4Address ? "4:" : "6:")
                + Arrays.toString(Arrays.copyOf(a, from instanceof Inet4Address ? 3 : 8));
    }
}
