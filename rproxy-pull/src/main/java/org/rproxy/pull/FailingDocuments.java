package org.rproxy.pull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The one rule by which documents an upstream fails become the upstream's failure, not each
 * document's: a <b>second</b> document <b>begins</b> to fail with nothing answered between. Each
 * document failing is kept with the count of answers the upstream had given when it began to.
 * One document failing is that document's (an origin's map grown past {@code max-body}, a
 * {@code 500} for one path), and so is one failing again: two documents failing lastingly, tried
 * again back to back, would otherwise be taken for the upstream's failure at every retry. A parent
 * proxy whose own upstream is away, or an upstream sending what is not HTTP, fails every document
 * asked, so one after another begins to fail with no answer between.
 *
 * <p>What follows is the caller's: {@link UpstreamOutage} (answers {@code 5xx}) moves the earlier
 * documents into its outage, {@link UnusableAnswers} (answers that cannot be used, per upstream of
 * a {@link FailoverUpstream}) marks the upstream down and keeps them.
 *
 * <p>Not thread-safe: each caller calls it under its own lock.
 *
 * @param <K> what names a document
 */
final class FailingDocuments<K> {
    /** The count of a document failing that is never a sign ({@link #failingAnyway}). */
    private static final long NO_SIGN = -1;

    private final int maxDocuments;
    /** The documents failing, each with {@link #answers} when it began to. */
    private final Map<K, Long> failing = new HashMap<>();
    /** The answers the upstream gave, in all. */
    private long answers;

    /**
     * Remembers at most {@code maxDocuments} documents; one more is still judged, only not
     * remembered (so it is judged again as beginning the next time).
     */
    FailingDocuments(int maxDocuments) {
        if (maxDocuments < 1) {
            throw new IllegalArgumentException("maxDocuments: " + maxDocuments + " (expected: > 0)");
        }
        this.maxDocuments = maxDocuments;
    }

    /**
     * The upstream answered {@code doc} (as its caller counts answers): one more answer, and
     * {@code doc} fails no more.
     */
    void answered(K doc) {
        answers++;
        failing.remove(doc);
    }

    /** True when {@code doc} is failing already: its failing again is no news, nor a sign. */
    boolean failing(K doc) {
        return failing.containsKey(doc);
    }

    /**
     * {@code doc}, not {@link #failing} so far, begins to fail now: it is remembered so, and the
     * documents that began to fail with nothing answered since are returned. Empty when there are
     * none: {@code doc} fails on its own.
     */
    List<K> began(K doc) {
        List<K> before = failing.entrySet().stream().filter(e -> e.getValue() == answers)
                .map(Map.Entry::getKey).toList();
        if (failing.size() < maxDocuments) {
            failing.put(doc, answers);
        }
        return before;
    }

    /**
     * {@code doc} fails in a way that is no sign of the upstream's failure (found failing on its
     * own while the upstream answers others): remembered as failing, never returned by
     * {@link #began}. Returns true when it was not failing before.
     */
    boolean failingAnyway(K doc) {
        if (failing.containsKey(doc)) {
            return false;
        }
        if (failing.size() < maxDocuments) {
            failing.put(doc, NO_SIGN);
        }
        return true;
    }

    /** Lets go of {@code doc}: it is not taken as failing any more. */
    void forget(K doc) {
        failing.remove(doc);
    }

    /** Lets go of the documents {@code gone} holds for. */
    void forgetIf(Predicate<? super K> gone) {
        failing.keySet().removeIf(gone);
    }

    /** How many documents are failing. */
    int size() {
        return failing.size();
    }
}
