package org.rproxy.pull;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest signing verified for each GET target, kept after its copy is gone (evicted under
 * {@code --max-bytes}, forgotten when idle): the floor a later answer is checked against when
 * nothing is held, so an upstream serving an older signing that has not expired yet (a lagging
 * fallback, a cache in between, a replaying parent) cannot roll the document back once the copy
 * is evicted. A floor lasts until the signature it came from expires: an older signing expires
 * no later, and nothing is refused as a rollback after that.
 *
 * <p>Small: one record per signed target, and only the origin can make a target signed. Bounded
 * at {@link #MAX_TARGETS} anyway, expired floors going first. Thread-safe.
 */
final class RollbackFloors {
    /** The most targets remembered; beyond it a new target is not remembered until floors expire. */
    static final int MAX_TARGETS = 65_536;

    /** The newest {@code created} verified, and when that signature expires. */
    private record Floor(Instant created, Instant expires) {
    }

    private final ConcurrentHashMap<String, Floor> floors = new ConcurrentHashMap<>();

    /** Notes that a signing of {@code target} created at {@code created}, valid until {@code expires}, was verified. */
    void raise(String target, Instant created, Instant expires, Instant now) {
        if (!floors.containsKey(target) && floors.size() >= MAX_TARGETS) {
            floors.values().removeIf(f -> !f.expires().isAfter(now));
            if (floors.size() >= MAX_TARGETS) {
                return;
            }
        }
        floors.merge(target, new Floor(created, expires), (a, b) -> b.created().isAfter(a.created()) ? b : a);
    }

    /** The newest {@code created} verified for {@code target} whose signature is unexpired at {@code now}, or null. */
    Instant floor(String target, Instant now) {
        Floor f = floors.get(target);
        if (f == null) {
            return null;
        }
        if (!f.expires().isAfter(now)) {
            floors.remove(target, f);
            return null;
        }
        return f.created();
    }
}
