package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
 * <p>{@link #admits} and {@link #stored} run on mldht's threads and are cheap; {@link #trim} runs
 * on the node's own timer. Thread-safe.
 */
final class StoreQuota {
    private final StoreLimits limits;
    /** The source network of each item taken, by target. */
    private final Map<Key, String> sources = new ConcurrentHashMap<>();
    /** How many items each source network has on the node. */
    private final Map<String, Integer> perSource = new ConcurrentHashMap<>();
    /** The targets of this node's own pointers: never trimmed. */
    private final Set<Key> own = ConcurrentHashMap.newKeySet();

    StoreQuota(StoreLimits limits) {
        this.limits = requireNonNull(limits, "limits");
    }

    StoreLimits limits() {
        return limits;
    }

    /**
     * Whether a put of {@code target} from {@code from} may be stored, {@code items} being what
     * the node holds: always for a target it holds (an update), else only under both bounds.
     */
    boolean admits(Key target, InetAddress from, Map<Key, StorageItem> items) {
        if (items.containsKey(target) || own.contains(target)) {
            return true;
        }
        return items.size() < limits.ceiling() && perSource.getOrDefault(network(from), 0) < limits.perSource();
    }

    /** Records that the node now holds {@code target}, put from {@code from} (the first source counts). */
    void stored(Key target, InetAddress from) {
        String network = network(from);
        if (sources.putIfAbsent(target, network) == null) {
            perSource.merge(network, 1, Integer::sum);
        }
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
    int trim(Map<Key, StorageItem> items, Key ourId) {
        sources.keySet().removeIf(k -> {
            if (items.containsKey(k)) {
                return false;
            }
            forget(k);
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
            if (sources.containsKey(k)) {
                forget(k);
                sources.remove(k);
            }
        }
        return removed;
    }

    private void forget(Key target) {
        String network = sources.get(target);
        if (network != null) {
            perSource.computeIfPresent(network, (n, c) -> c > 1 ? c - 1 : null);
        }
    }

    /** The items recorded as put from {@code from}'s network (its /24 or /64). */
    int fromNetworkOf(InetAddress from) {
        return perSource.getOrDefault(network(from), 0);
    }

    /** The network a source address counts under: its /24 (IPv4) or /64 (IPv6). */
    static String network(InetAddress from) {
        byte[] a = from.getAddress();
        return (from instanceof Inet4Address ? "4:" : "6:")
                + Arrays.toString(Arrays.copyOf(a, from instanceof Inet4Address ? 3 : 8));
    }
}
