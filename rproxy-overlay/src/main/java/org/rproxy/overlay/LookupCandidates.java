package org.rproxy.overlay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;

/**
 * The nodes one {@link NearestLookup} knows of, closest to its target first, each listing (an id
 * at an IP and port) a candidate of its own, and which of them it may ask now.
 *
 * <p>Why per listing and not per IP: any node may list any address under any id and port. Asked
 * once per IP, under the first listing heard, a lookup could be kept from an honest node by one
 * answer listing its IP with a wrong port (or its id at a wrong address) before the nodes that know
 * it list it right: the request went to a port where nothing answers, and the real listing was
 * dropped as a duplicate. So every listing is kept, and the nodes at one IP are asked as mldht's
 * own lookups ask them: one request on its way to an IP at a time (a stalled one frees it), at
 * most {@value #ASKS_PER_IP} of its listings asked, none more once the IP has answered (a host
 * answers for one node; the others it is listed under are someone's guess), and of the listings
 * not asked yet the one named by the most answers first, then the closest. A listing is counted
 * once per answer, and an answer lists each IP once ({@link #fromOneAnswer}), so a node that
 * makes up ports cannot outvote the nodes that name the real one, and to spend all of an IP's
 * asks it takes that many hosts that answer, not one datagram. What one IP costs stays bounded:
 * {@value #ASKS_PER_IP} listings, each asked at most twice.
 *
 * <p>Not thread-safe: guarded by its lookup.
 */
final class LookupCandidates {
    /** The listings of one IP a lookup asks at most (mldht's lookups ask an IP more only when more nodes vouch for it). */
    static final int ASKS_PER_IP = 3;
    /** Listings named by a node that failed before the rest it named is not asked. */
    static final int FAILURES = 3;

    private final TreeMap<KBucketEntry, LookupCandidate> byDistance;
    private final Map<InetAddress, List<KBucketEntry>> byIp = new HashMap<>();
    private final Map<InetAddress, Integer> asks = new HashMap<>();
    private final Set<InetAddress> answered = new HashSet<>();
    /** By node: how many of the listings it named were asked and never answered. */
    private final Map<KBucketEntry, Integer> failures = new HashMap<>();

    LookupCandidates(Key target) {
        this.byDistance = new TreeMap<>(new KBucketEntry.DistanceOrder(target).thenComparing(KBucketEntry::getAddress,
                Comparator.comparing((InetSocketAddress a) -> a.getAddress().getAddress(), Arrays::compare)
                        .thenComparingInt(InetSocketAddress::getPort)));
    }

    /**
     * Takes a listing: a new one becomes a candidate, one known already is named once more.
     * Returns its candidate.
     */
    LookupCandidate add(KBucketEntry e) {
        return add(e, null);
    }

    /**
     * As {@link #add(KBucketEntry)}, for a listing in the answer of {@code lister} (null: this
     * node's own routing table, which no failure discredits).
     */
    LookupCandidate add(KBucketEntry e, KBucketEntry lister) {
        LookupCandidate known = byDistance.get(e);
        if (known != null) {
            known.sources++;
            known.listedBy(lister);
            return known;
        }
        LookupCandidate c = new LookupCandidate();
        c.listedBy(lister);
        byDistance.put(e, c);
        byIp.computeIfAbsent(ip(e), k -> new ArrayList<>()).add(e);
        return c;
    }

    /** The candidate of exactly this listing (id, IP and port), or null. */
    LookupCandidate get(KBucketEntry e) {
        return byDistance.get(e);
    }

    /** Every candidate, closest first. */
    Set<Map.Entry<KBucketEntry, LookupCandidate>> inOrder() {
        return byDistance.entrySet();
    }

    /** The candidates asked at least once. */
    int asked() {
        return (int) byDistance.values().stream().filter(c -> c.attempts > 0).count();
    }

    /**
     * Whether a request of a node given up for stalling is still on its way (mldht has not timed
     * it out): its answer may yet come ({@link LateAnswers}). Nodes refused or discredited do not
     * count, nor, unless {@code anyNode}, nodes never heard from ({@link LateAnswers#heardFrom}).
     */
    boolean lateOnTheirWay(boolean anyNode) {
        return byDistance.entrySet().stream().anyMatch(e -> {
            LookupCandidate c = e.getValue();
            return !c.answered && !c.refused && c.live > 0 && c.live == c.stalled
                    && (anyNode || LateAnswers.heardFrom(e.getKey()));
        });
    }

    /** The node at {@code ip} answered: its other listings not asked yet are not asked. */
    void answeredFrom(InetAddress ip) {
        answered.add(ip);
    }

    /**
     * Gives up {@code e} ({@code c}) when it cannot be asked (again), or is not worth waiting for:
     * its IP has answered under another listing, every node that listed it is discredited
     * ({@link #discredited}; a request of its that stalled is not waited for either), or, never
     * asked, all of the IP's asks went to other listings. Counts the failure of one asked in vain
     * against the nodes that listed it.
     */
    void dropIfSpent(KBucketEntry e, LookupCandidate c) {
        if (!c.answered && !c.refused && !c.pending() && (answered.contains(ip(e)) || discredited(c)
                || c.attempts == 0 && asks.getOrDefault(ip(e), 0) >= ASKS_PER_IP)) {
            c.refused = true;
        }
        if (c.gaveUp() && c.attempts > 0 && !c.counted) {
            c.counted = true;
            for (KBucketEntry lister : c.listers) {
                failures.merge(lister, 1, Integer::sum);
            }
        }
    }

    /**
     * Whether every node that listed {@code c} has listed {@value #FAILURES} others that were
     * asked and never answered: the rest of what it named is not asked (mldht's lookups skip
     * them likewise). Else one answer listing made-up nodes closest to the target (at addresses
     * where nothing answers) held every lookup that heard it until each had been asked twice in
     * vain: 48 requests and some 9 s for 24 of them, most of a client's budget of 10 s with its
     * fetch still to come.
     */
    private boolean discredited(LookupCandidate c) {
        return !c.listers.isEmpty() && c.listers.stream().allMatch(l -> failures.getOrDefault(l, 0) >= FAILURES);
    }

    /**
     * Whether {@code e} may be asked now (its first request, or its second after the first
     * stalled): no request to its IP is on its way, and, for a first request, it is the listing
     * of its IP to ask next. Counts the ask when it is a first one.
     */
    boolean mayAsk(KBucketEntry e, LookupCandidate c) {
        InetAddress ip = ip(e);
        Comparator<? super KBucketEntry> closer = byDistance.comparator();
        KBucketEntry next = null;
        int nextSources = 0;
        for (KBucketEntry other : byIp.get(ip)) {
            LookupCandidate o = byDistance.get(other);
            if (o.pending()) {
                return false;
            }
            if (o.attempts == 0 && !o.gaveUp() && (next == null || o.sources > nextSources
                    || o.sources == nextSources && closer.compare(other, next) < 0)) {
                next = other;
                nextSources = o.sources;
            }
        }
        if (c.attempts > 0) {
            return true;
        }
        if (!e.equals(next)) {
            return false;
        }
        asks.merge(ip, 1, Integer::sum);
        return true;
    }

    private static InetAddress ip(KBucketEntry e) {
        return e.getAddress().getAddress();
    }

    /**
     * Keeps the first listing of each IP in {@code listed} (one node's answer): a node that lists
     * one IP under several ports names each once, not several times.
     */
    static List<KBucketEntry> fromOneAnswer(List<KBucketEntry> listed) {
        Set<InetAddress> ips = new HashSet<>();
        List<KBucketEntry> out = new ArrayList<>();
        for (KBucketEntry e : listed) {
            if (ips.add(ip(e))) {
                out.add(e);
            }
        }
        return out;
    }
}
