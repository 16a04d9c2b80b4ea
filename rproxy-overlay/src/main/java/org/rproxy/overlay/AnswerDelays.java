package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Whether answers to one DHT node's lookups have come late lately: after the request they
 * answer was taken for lost (stalled). It tells {@link LateAnswers} whether a silent node never
 * heard from is worth waiting for.
 *
 * <p>Why: a lookup that found nothing waits for the answers of the nodes it took for lost, since
 * on a busy host every answer comes late. But in a DHT some of the nodes that answers list are
 * gone, and a request to one of them is "on its way" until mldht's timeout: a lookup of
 * something the DHT does not hold waited the whole wait, and a viewer whose overlay had no copy
 * waited that much longer before it asked a server (and a fetch nobody seeds, which takes three
 * such lookups, three times that). An answer that came after its request stalled shows that
 * answers do come late here; until one does, only nodes this node has heard from are waited
 * for. Thread-safe.
 */
final class AnswerDelays {
    /** How long one late answer counts as a sign that answers come late here. */
    static final Duration LATELY = Duration.ofMinutes(1);

    /** The time, as {@link System#nanoTime()}. */
    private final LongSupplier nanoTime;
    /** When the last late answer came ({@link #nanoTime}); guarded by this. */
    private long last;
    /** Whether any came at all; guarded by this. */
    private boolean any;

    AnswerDelays() {
        this(System::nanoTime);
    }

    /** Reads the time from {@code nanoTime} (as System.nanoTime): for tests. */
    AnswerDelays(LongSupplier nanoTime) {
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /** An answer came after its request had stalled. */
    synchronized void late() {
        last = nanoTime.getAsLong();
        any = true;
    }

    /** Whether an answer came late within the last {@link #LATELY}. */
    synchronized boolean lately() {
        return any && nanoTime.getAsLong() - last < LATELY.toNanos();
    }
}
