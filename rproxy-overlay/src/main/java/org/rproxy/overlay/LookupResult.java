package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;

/**
 * What a {@link NearestLookup} found: the tokens of the nodes that answered (where a put or an
 * announcement goes next), the best item or the peers, and which nodes held which version.
 * Immutable.
 *
 * @param target   the target looked up
 * @param tokens   the write token of every node that answered, for a put or an announce
 * @param item     the valid BEP 44 item of the highest seq any node returned (get only)
 * @param seqs     the seq of the item each node returned, for the nodes that returned one (valid,
 *                 or older than the best found: counted as lacking it either way)
 * @param peers    the peers the nodes returned (get_peers only), those named by the most nodes first
 *                 ({@link PeerTally})
 * @param asked    the nodes asked
 */
record LookupResult(Key target, Map<KBucketEntry, byte[]> tokens, Optional<StorageItem> item,
                    Map<KBucketEntry, Long> seqs, List<InetSocketAddress> peers, int asked) {
    LookupResult {
        requireNonNull(target, "target");
        tokens = Map.copyOf(requireNonNull(tokens, "tokens"));
        requireNonNull(item, "item");
        seqs = Map.copyOf(requireNonNull(seqs, "seqs"));
        peers = List.copyOf(requireNonNull(peers, "peers"));
    }

    /**
     * The tokens of the closest {@code n} nodes that answered without the item found (or with
     * an older one): where a reader stores it again, so that the nodes that joined closer to
     * the target since it was put hold it too.
     */
    Map<KBucketEntry, byte[]> lacking(int n) {
        long seq = item.map(StorageItem::seq).orElse(Long.MAX_VALUE);
        Map<KBucketEntry, byte[]> out = new HashMap<>();
        tokens.keySet().stream().sorted(new KBucketEntry.DistanceOrder(target)).limit(n)
                .filter(e -> seqs.getOrDefault(e, Long.MIN_VALUE) < seq)
                .forEach(e -> out.put(e, tokens.get(e)));
        return out;
    }

    /** The tokens of the closest {@code n} nodes that answered: where to put or announce. */
    Map<KBucketEntry, byte[]> closestTokens(int n) {
        Map<KBucketEntry, byte[]> out = new HashMap<>();
        tokens.keySet().stream().sorted(new KBucketEntry.DistanceOrder(target)).limit(n)
                .forEach(e -> out.put(e, tokens.get(e)));
        return out;
    }

    /** The nodes that answered. */
    int answered() {
        return tokens.size();
    }
}
