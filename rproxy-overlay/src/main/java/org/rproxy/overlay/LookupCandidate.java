package org.rproxy.overlay;

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

    /** Asked as often as allowed, and every request ended or stalled without an answer. */
    boolean gaveUp() {
        return !answered && (refused || (attempts >= ATTEMPTS && live == stalled));
    }

    /** A request is on its way and not past its expected round trip. */
    boolean pending() {
        return live > stalled;
    }
}
