package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * for.
 *
 * <p>It also remembers, for {@link #LATELY}, the nodes never heard from that a lookup gave up
 * (asked twice, both requests stalled: {@link #silent}), and while no answer came late the next
 * lookups leave them out ({@link #skips}; unless the routing table knows them, {@link
 * StartingNodes#known}), as a DHT node backs off from a node that failed: a
 * pointer lookup that met a gone node had each of the three peer lookups of a torrent nobody
 * seeds that came after it ask that node twice again, 3 s each, so the give-up came 13 to 14 s
 * after the fetch began, past a client's default budget of 10 s. Thread-safe.
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
    /** How many silent nodes are remembered, the oldest going first. */
    private static final int SILENT_NODES = 1024;
    /** The nodes never heard from that a lookup gave up, with when ({@link #nanoTime}); guarded by this. */
    private final Map<InetSocketAddress, Long> silent = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Long> eldest) {
            return size() > SILENT_NODES;
        }
    };

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

    /** A lookup gave up {@code node}, never heard from: asked twice, both requests stalled. */
    synchronized void silent(InetSocketAddress node) {
        silent.remove(node);
        silent.put(node, nanoTime.getAsLong());
    }

    /** {@code node} answered a lookup: it is not left out of the next. */
    synchronized void answered(InetSocketAddress node) {
        silent.remove(node);
    }

    /**
     * Whether lookups leave {@code node}, never heard from, out: a lookup gave it up within the
     * last {@link #LATELY}, and no answer came late meanwhile (on a host where answers come late,
     * a stall says nothing of a node).
     */
    synchronized boolean skips(InetSocketAddress node) {
        Long at = silent.get(node);
        return at != null && nanoTime.getAsLong() - at < LATELY.toNanos() && !lately();
    }
}
