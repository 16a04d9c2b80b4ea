package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * How {@link Renewals} watches the node's routing table for the stores its growth calls for.
 *
 * @param size    the number of nodes the node's lookups may start from now
 * @param every   how often it is read
 * @param spacing the least time between a record's store and a store of it its growth calls for
 */
record TableWatch(IntSupplier size, Duration every, Duration spacing) {
    TableWatch {
        requireNonNull(size, "size");
        requireNonNull(every, "every");
        requireNonNull(spacing, "spacing");
    }
}
