package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

import org.rproxy.core.store.AgeStamp;
import org.rproxy.core.store.Representation;

/**
 * A computed GET answer kept for its version ({@link Answers#answerGet}), and the copy of it that
 * goes out during the current second: one with an {@code Age} (computed at a proxy, see
 * {@link ComputedAnswer}) is stamped again when its age changes, at most once a second
 * ({@link AgeStamp}, as for the documents a pull proxy holds). Thread-safe.
 */
final class KeptAnswer {
    private final Representation computed;
    private final boolean aged;
    /** The answer at its age as computed is the answer itself. */
    private final AgeStamp<Representation> stamp = new AgeStamp<>(
            (answer, age) -> age == answer.ageSeconds() ? answer : ComputedAnswer.withAge(answer, age));

    KeptAnswer(Representation computed) {
        this.computed = requireNonNull(computed, "computed");
        this.aged = computed.identity().header("age").isPresent();
    }

    /** The answer as computed, for the cache's weigher. */
    Representation computed() {
        return computed;
    }

    /** The answer as it goes out at {@code now}. */
    Representation at(Instant now) {
        return aged ? stamp.at(computed, ComputedAnswer.ageAt(computed.created(), now)) : computed;
    }
}
