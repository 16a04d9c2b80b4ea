package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What one {@link Swarm} fetch has learnt of its torrent's seeders, and whether the overlay
 * demonstrably has nobody to fetch it from: a pointer naming a bundle nobody seeds (its publisher
 * dropped it after the origin's clock stepped back, or the only seeders left) would otherwise
 * hold a client for its whole budget before it pulls. Nobody seeds it when
 * <ul>
 * <li>{@value #EMPTY_LOOKUPS} of the DHT's peer lookups ({@link DhtPeerSource}) heard from DHT
 * nodes and none found a peer, or</li>
 * <li>peers were found, and bt's connection to every one of them failed at least
 * {@value #REFUSALS_EACH} times (refused, no such torrent there, unreachable);</li>
 * </ul>
 * and never while a connection to a peer of the torrent has been made: a peer that has it and
 * sends is waited for until the budget runs out. A lookup no node answered proves nothing, and a
 * connection bt did not try for its own limits is no refusal. Thread-safe (mldht's and bt's
 * threads tell it what they saw).
 */
final class SeederWatch {
    /**
     * Lookups that heard from DHT nodes, all finding no peer, that show nobody seeds a torrent:
     * three, so that the last starts at least one of bt's polls (a second) after the second one,
     * however soon after the fetch's own (primed) lookup bt's first poll came: a publisher puts
     * a pointer and announces its torrent at once, and a reader may find the pointer first.
     */
    static final int EMPTY_LOOKUPS = 3;
    /** Failed connections to each peer found that show none of them serves the torrent. */
    static final int REFUSALS_EACH = 2;

    private final CompletableFuture<String> nobody = new CompletableFuture<>();
    /** Guarded by this. */
    private int lookups;
    private final Set<InetSocketAddress> found = new LinkedHashSet<>();
    private final Map<InetSocketAddress, Integer> refusals = new HashMap<>();
    private boolean connected;

    /** Completes, with the reason, once nobody demonstrably seeds the torrent; never after a connection was made. */
    CompletableFuture<String> nobody() {
        return nobody;
    }

    /** A peer lookup of the torrent ended with {@code found}. */
    void looked(PeersFound f) {
        String why;
        synchronized (this) {
            if (f.answered() == 0) {
                return;
            }
            lookups++;
            found.addAll(f.peers());
            why = judge();
        }
        tell(why);
    }

    /** bt connected to a peer of the torrent (or a peer to it). */
    synchronized void connected() {
        connected = true;
    }

    /** bt's connection to {@code peer} for the torrent failed. */
    void refused(InetSocketAddress peer) {
        String why;
        synchronized (this) {
            refusals.merge(peer, 1, Integer::sum);
            why = judge();
        }
        tell(why);
    }

    /** Why nobody seeds the torrent, or null while somebody may; under this. */
    private String judge() {
        if (connected) {
            return null;
        }
        if (found.isEmpty()) {
            return lookups >= EMPTY_LOOKUPS ? "nobody seeds it (" + lookups + " DHT lookups of its peers found none)" : null;
        }
        for (InetSocketAddress p : found) {
            if (refusals.getOrDefault(p, 0) < REFUSALS_EACH) {
                return null;
            }
        }
        return "nobody seeds it (" + (found.size() == 1 ? "the one peer" : "each of the " + found.size() + " peers")
                + " the DHT named, " + found.iterator().next() + (found.size() == 1 ? "" : " and others")
                + ", refused it " + REFUSALS_EACH + " times)";
    }

    /** Completes {@link #nobody} with {@code why} (null: not yet), outside the lock: its dependents run here. */
    private void tell(String why) {
        if (why != null) {
            nobody.complete(why);
        }
    }
}
