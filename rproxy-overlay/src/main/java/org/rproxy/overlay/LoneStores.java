package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.rproxy.core.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node says that its stores found no DHT node at all (the closest nodes a lookup could ask:
 * none): a publisher started before any peer, the first of an overlay, is expected to, and its
 * records are stored again as nodes join ({@link Renewals}). So the first such store of a lone
 * spell is said once at INFO, for all the node's records; the others at DEBUG; and once at WARN when
 * the spell has lasted {@link #WARN_AFTER} (the bootstrap nodes unreachable, or nobody else running:
 * the operator's to look at). A store that reaches any node ends the spell, so a later one is
 * said again. A store that found nodes and none took it is not this class's: {@link StoreTries}
 * warns of it as before. Thread-safe (stores complete on mldht's threads).
 */
final class LoneStores {
    private static final Logger log = LoggerFactory.getLogger(Renewals.class);
    /** How long a node may find no DHT node to store to before it is warned of. */
    static final Duration WARN_AFTER = Duration.ofMinutes(10);

    private final Duration warnAfter;
    private final LongSupplier ticker;
    /** When the spell began ({@link #ticker}), or null while stores find nodes. */
    private Long since;
    private boolean warned;

    LoneStores() {
        this(WARN_AFTER, System::nanoTime);
    }

    /** @param ticker nanoseconds, as {@link System#nanoTime} (a test's is stepped by hand) */
    LoneStores(Duration warnAfter, LongSupplier ticker) {
        this.warnAfter = requireNonNull(warnAfter, "warnAfter");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /** Says that the store of {@code what} (its last try) found no DHT node, at the level the class gives. */
    void noNode(String what) {
        long now = ticker.getAsLong();
        boolean first;
        boolean warn;
        synchronized (this) {
            first = since == null;
            if (first) {
                since = now;
            }
            warn = !warned && now - since >= warnAfter.toNanos();
            warned |= warn;
        }
        if (warn) {
            log.warn("overlay: {}: 0 of the 0 closest DHT nodes took it: no other DHT node found for {}; check"
                    + " that the bootstrap nodes run and are reachable (stored again as nodes join)", what,
                    Durations.describe(warnAfter));
        } else if (first) {
            log.info("overlay: {}: 0 of the 0 closest DHT nodes took it: no other DHT node known yet, as expected"
                    + " while this node is the first of its overlay; its records are stored again as nodes join"
                    + " (a warning if none is found within {})", what, Durations.describe(warnAfter));
        } else {
            log.debug("overlay: {}: 0 of the 0 closest DHT nodes took it", what);
        }
    }

    /** A store reached at least one DHT node: the lone spell, if any, is over. */
    synchronized void someNode() {
        since = null;
        warned = false;
    }
}
