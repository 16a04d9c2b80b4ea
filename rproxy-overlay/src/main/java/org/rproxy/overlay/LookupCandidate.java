package org.rproxy.overlay;

import java.util.ArrayList;
import java.util.List;

import lbms.plugins.mldht.kad.KBucketEntry;

/**
 * One node's state in a {@link NearestLookup}: how often it was asked, what is on its way, and
 * how it ended. Guarded by its lookup.
 */
final class LookupCandidate {
    /** How often a node is asked before the lookup gives it up. */
    static final int ATTEMPTS = 2;

    int attempts;
    /** Requests sent and not ended (answered, timed out, refused). */
    int live;
    /** Of those, the ones past their expected round trip. */
    int stalled;
    boolean answered;
    boolean refused;
    /** How many answers (or this node's routing table) named this listing ({@link LookupCandidates}). */
    int sources = 1;
    /** The nodes whose answers named it (none: this node's routing table); counted once its end is known ({@link #counted}). */
    final List<KBucketEntry> listers = new ArrayList<>(1);
    boolean counted;
    /** Named by this node's routing table: never discredited by its listers. */
    private boolean fromTable;

    /** Notes that {@code lister} (null: the routing table) named this listing. */
    void listedBy(KBucketEntry lister) {
        if (lister == null) {
            listers.clear();
            fromTable = true;
        } else if (!fromTable && !listers.contains(lister)) {
            listers.add(lister);
        }
    }

    /** Asked as often as allowed, and every request ended or stalled without an answer. */
    boolean gaveUp() {
        return !answered && (refused || (attempts >= ATTEMPTS && live == stalled));
    }

    /** A request is on its way and not past its expected round trip. */
    boolean pending() {
        return live > stalled;
    }
}
