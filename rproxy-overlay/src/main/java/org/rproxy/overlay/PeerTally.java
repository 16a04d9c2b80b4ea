package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The peers one {@code get_peers} lookup heard of, with how many DHT nodes named each. Any node
 * may answer with as many made-up peers as a datagram holds (some 600), all of one node's word,
 * while a torrent's real seeder is announced to the eight nodes closest to it: handed out in a
 * random order, one hostile node's list made a fetch try its made-up peers a few at a time
 * until its budget ran out, the seeder among hundreds. So the peers named by more nodes come
 * first ({@link #ranked}; each tier in random order, spreading the fetches of a swarm over its
 * seeders), and a lookup keeps at most {@value #KEPT}. Guarded by its lookup.
 */
final class PeerTally {
    /** The peers a lookup hands on at most, the most named first. */
    static final int KEPT = 256;

    private final Map<InetSocketAddress, Integer> named = new HashMap<>();

    /** The peers one node named (this node's own store counts as one): each counts once. */
    void namedBy(Collection<InetSocketAddress> peers) {
        for (InetSocketAddress p : new HashSet<>(peers)) {
            named.merge(p, 1, Integer::sum);
        }
    }

    boolean isEmpty() {
        return named.isEmpty();
    }

    /** The peers, those named by the most nodes first (in random order among equals), at most {@value #KEPT}. */
    List<InetSocketAddress> ranked() {
        List<InetSocketAddress> out = new ArrayList<>(named.keySet());
        Collections.shuffle(out);
        out.sort(Comparator.comparingInt((InetSocketAddress p) -> named.get(p)).reversed());
        return out.size() > KEPT ? List.copyOf(out.subList(0, KEPT)) : out;
    }
}
