package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

import org.rproxy.core.store.Representation;

/**
 * A computed GET answer kept for its version ({@link Answers#answerGet}), and the copy of it that
 * goes out during the current second: one with an {@code Age} (computed at a proxy, see
 * {@link ComputedAnswer}) is stamped again when its age changes, at most once a second, so a hit
 * costs a clock read and a comparison, and the front end prepares the fields of one variant per
 * second, as for the documents a pull proxy holds. Thread-safe: a stamp raced by two threads is
 * made twice, and either is right.
 */
final class KeptAnswer {
    /** The answer as it goes out while it is {@code age} seconds old. */
    private record Stamp(long age, Representation representation) {
    }

    private final Representation computed;
    private final boolean aged;
    private volatile Stamp stamp;

    KeptAnswer(Representation computed) {
        this.computed = requireNonNull(computed, "computed");
        this.aged = computed.identity().header("age").isPresent();
        this.stamp = new Stamp(computed.ageSeconds(), computed);
    }

    /** The answer as computed, for the cache's weigher. */
    Representation computed() {
        return computed;
    }

    /** The answer as it goes out at {@code now}. */
    Representation at(Instant now) {
        if (!aged) {
            return computed;
        }
        long age = ComputedAnswer.ageAt(computed.created(), now);
        Stamp s = stamp;
        if (s.age() != age) {
            s = new Stamp(age, ComputedAnswer.withAge(computed, age));
            stamp = s;
        }
        return s.representation();
    }
}
