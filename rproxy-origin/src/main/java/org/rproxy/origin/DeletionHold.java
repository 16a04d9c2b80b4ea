package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The maps folder's deletion policy: a file whose documents are being served and that has gone
 * from the folder is not acted on until the folder has been without it for {@code settle}. A
 * deploy that deletes a file and copies the new one in, or an {@code rm} put right with a copy,
 * then never takes a resource off the air; a file that stays gone is dropped after the settle
 * period. While a deletion is held, the folder is not reloaded at all (a load would drop the
 * file's documents), so other changes wait for the same period.
 *
 * <p>Time is a caller-supplied {@code System.nanoTime()}-style reading. Not thread-safe: the
 * folder watcher's thread alone uses it.
 */
final class DeletionHold {

    /**
     * What the watcher should do now.
     *
     * @param reload    load the folder now (nothing held, or every held deletion has settled)
     * @param waitNanos when not reloading, how long until the earliest held deletion settles
     * @param gone      files found missing in this check for the first time
     * @param back      held files that are back
     * @param dropped   files whose deletion has settled: the reload drops their documents
     */
    record Decision(boolean reload, long waitNanos, List<String> gone, List<String> back, List<String> dropped) {
        Decision {
            gone = List.copyOf(gone);
            back = List.copyOf(back);
            dropped = List.copyOf(dropped);
        }
    }

    private final long settleNanos;
    private Set<String> served;
    private final Map<String, Long> goneSince = new TreeMap<>();

    /**
     * @param served the file names of the folder as last loaded
     * @param settle how long a served file must stay gone before its documents are dropped; zero
     *               acts on a deletion at once
     */
    DeletionHold(Set<String> served, Duration settle) {
        this.served = Set.copyOf(requireNonNull(served, "served"));
        requireNonNull(settle, "settle");
        if (settle.isNegative()) {
            throw new IllegalArgumentException("settle: " + settle + " (expected: >= 0)");
        }
        this.settleNanos = settle.toNanos();
    }

    /** Decides, for the folder holding {@code present} at {@code now}, whether to load it. */
    Decision check(Set<String> present, long now) {
        List<String> back = new ArrayList<>();
        for (String name : new ArrayList<>(goneSince.keySet())) {
            if (present.contains(name)) {
                goneSince.remove(name);
                back.add(name);
            }
        }
        List<String> gone = new ArrayList<>();
        for (String name : new TreeSet<>(served)) {
            if (!present.contains(name) && !goneSince.containsKey(name)) {
                goneSince.put(name, now);
                gone.add(name);
            }
        }
        long wait = 0;
        for (long since : goneSince.values()) {
            wait = Math.max(wait, since + settleNanos - now);
        }
        if (wait > 0) {
            return new Decision(false, earliestSettle(now), gone, back, List.of());
        }
        return new Decision(true, 0, gone, back, List.copyOf(goneSince.keySet()));
    }

    private long earliestSettle(long now) {
        long earliest = Long.MAX_VALUE;
        for (long since : goneSince.values()) {
            long left = since + settleNanos - now;
            if (left > 0) {
                earliest = Math.min(earliest, left);
            }
        }
        return earliest;
    }

    /** Whether a deletion is held (the watcher must look again when it settles). */
    boolean holding() {
        return !goneSince.isEmpty();
    }

    /** The folder loaded with {@code present}: that is what is served now. */
    void loaded(Set<String> present) {
        served = Set.copyOf(present);
        goneSince.clear();
    }

    /**
     * The folder did not load: the last good version stays, so nothing is held any more (a file
     * still missing is found again, and held again, by the next change).
     */
    void refused() {
        goneSince.clear();
    }
}
