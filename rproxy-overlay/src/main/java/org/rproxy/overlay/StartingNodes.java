package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.KClosestNodesSearch;
import lbms.plugins.mldht.kad.Key;

/**
 * The nodes a {@link NearestLookup} asks first, from this node's routing table: the
 * {@value #FROM_TABLE} closest to the target that answered this node, and the
 * {@value NearestLookup#K} closest of those that contacted it but never answered it.
 */
final class StartingNodes {
    /** How many nodes of the routing table proper a lookup starts from. */
    static final int FROM_TABLE = NearestLookup.K * 4;

    private StartingNodes() {
    }

    /** The nodes to start a lookup of {@code target} from, closest first within each kind. */
    static List<KBucketEntry> of(DHT dht, Key target) {
        KClosestNodesSearch kns = new KClosestNodesSearch(target, FROM_TABLE, dht);
        // as mldht's own node lookups: also nodes that missed an answer or two lately (a busy
        // node drops requests), which mldht leaves out of the nodes it hands to others
        kns.filter = KBucketEntry::eligibleForLocalLookup;
        kns.fill();
        List<KBucketEntry> out = new ArrayList<>(kns.getEntries());
        out.addAll(unverified(dht, target));
        return out;
    }

    /**
     * How many nodes a lookup may start from now: the routing table's, and those that contacted
     * this node but never answered it. The second kind are how a node started alone first learns
     * of a node that joins it: that node's pings reach it, and it asks the node back only at its
     * next probe, up to 30 s later.
     */
    static int count(DHT dht) {
        long unverified = dht.getNode().table().stream()
                .flatMap(e -> e.getBucket().getReplacementEntries().stream())
                .filter(e -> !e.verifiedReachable() && e.eligibleForLocalLookup())
                .count();
        return dht.getNode().getNumEntriesInRoutingTable() + (int) unverified;
    }

    /**
     * The {@value NearestLookup#K} nodes closest to {@code target} among those that contacted
     * this node but never answered it (its routing table's replacement entries), that have not
     * failed to answer it either. mldht keeps only nodes that answered in the routing table
     * proper, and probes the others one per bucket every 30 s; the nodes a lookup asks hand out
     * the same kind. So without these, a node that started before the others (an RProxy's
     * publisher, the first node of a swarm) would look among the few that were up with it, and
     * store its pointers there, far from the nodes closest to the target that every reader asks.
     * Asking one is the lookup's own probe: an answer makes it a node of the routing table.
     */
    static List<KBucketEntry> unverified(DHT dht, Key target) {
        return dht.getNode().table().stream()
                .flatMap(e -> e.getBucket().getReplacementEntries().stream())
                .filter(e -> !e.verifiedReachable() && e.eligibleForLocalLookup())
                .sorted(new KBucketEntry.DistanceOrder(target))
                .limit(NearestLookup.K)
                .toList();
    }

    /**
     * Whether {@code address} is a node of this node's routing table, or one that contacted it
     * (a replacement entry): alive, whatever a lookup saw of it (a node that throttles this one
     * drops its requests), so never left out of a lookup as gone ({@link AnswerDelays#skips}).
     */
    static boolean known(DHT dht, InetSocketAddress address) {
        return dht.getNode().table().stream()
                .flatMap(e -> Stream.concat(e.getBucket().getEntries().stream(), e.getBucket().getReplacementEntries().stream()))
                .anyMatch(k -> k.getAddress().equals(address));
    }
}
