package org.rproxy.overlay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

import org.rproxy.core.model.OverlayInfo;

/**
 * The pointers some publishers have for one resource, looked up in parallel within a deadline:
 * what an {@link OverlayClient} offers from, whether the publishers came from the origin's
 * directory or, for the directory itself, from the peer's own settings. A lookup that failed or
 * did not end in time is made again (a second later, while the deadline allows, at most
 * {@link #ROUNDS} rounds); one that heard from the closest nodes and found nothing is final.
 * Blocks the calling thread; the lookups run on mldht's threads.
 */
final class PointerLookup {
    static final int ROUNDS = 3;

    /**
     * What the lookups found.
     *
     * @param pointers one per infohash, in the order found
     * @param none     why there is none, when {@code pointers} is empty (the publishers that had
     *                 none, those whose lookup did not end in time)
     */
    record Found(List<Pointer> pointers, String none) {
        Found {
            pointers = List.copyOf(pointers);
        }
    }

    private PointerLookup() {
    }

    /** Looks up the pointers of {@code publishers} (hex keys) for {@code resourceId} on {@code dht}, until {@code deadline} (nanoTime). */
    static Found find(DhtNode dht, List<String> publishers, String resourceId, long deadline) {
        List<String> unsure = new ArrayList<>(publishers);
        List<String> answered = new ArrayList<>();
        List<Pointer> pointers = new ArrayList<>();
        for (int round = 0; !unsure.isEmpty() && round < ROUNDS; round++) {
            if (round > 0) {
                if (deadline - System.nanoTime() < 2_000_000_000L) {
                    break;
                }
                Walk.await(CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)),
                        deadline);
            }
            Map<String, CompletableFuture<Optional<StorageItem>>> gets = lookUp(dht, unsure, resourceId, deadline);
            unsure.clear();
            gets.forEach((publisher, g) -> {
                if (!g.isDone() || g.isCompletedExceptionally()) {
                    g.cancel(false);
                    unsure.add(publisher);
                    return;
                }
                answered.add(publisher);
                g.join().map(i -> Pointer.of(i, resourceId)).ifPresent(p -> {
                    if (pointers.stream().noneMatch(q -> Arrays.equals(q.infoHash(), p.infoHash()))) {
                        pointers.add(p);
                    }
                });
            });
        }
        if (!pointers.isEmpty()) {
            return new Found(pointers, null);
        }
        String none = answered.isEmpty() ? "" : "no pointer from publishers " + String.join(", ", answered);
        String late = unsure.isEmpty() ? "" : "no lookup ended within the budget for publishers " + String.join(", ", unsure);
        return new Found(pointers, none + (none.isEmpty() || late.isEmpty() ? "" : "; ") + late);
    }

    /** Starts the gets of {@code publishers}' pointers for {@code resourceId} and waits for them until the deadline. */
    private static Map<String, CompletableFuture<Optional<StorageItem>>> lookUp(DhtNode dht, List<String> publishers,
                                                                               String resourceId, long deadline) {
        Map<String, CompletableFuture<Optional<StorageItem>>> gets = new LinkedHashMap<>();
        CompletableFuture<Void> joined = dht.joined();
        for (String publisher : publishers) {
            byte[] key = OverlayInfo.key(publisher);
            gets.put(publisher, joined.thenCompose(j -> dht.get(key, Pointer.salt(resourceId))));
        }
        Walk.await(CompletableFuture.allOf(gets.values().toArray(CompletableFuture[]::new)), deadline);
        return gets;
    }
}
