package org.rproxy.pull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.upstream.UpstreamRequest;

/**
 * Tells, for each of several upstreams, when its answers that cannot be used (a body over
 * {@code max-body}, bytes that are not HTTP, an unasked protocol switch) are the upstream's fault
 * and not one document's. One document that cannot be used (an origin's map grown past this
 * proxy's {@code max-body}) is that document's: the upstream answered, and its siblings hold the
 * same document, so leaving it moved every request to a fallback, and with every upstream alike
 * flapped between them at each health check. An upstream that answers what cannot be used to
 * every document asked is broken. The rule is {@link UpstreamOutage}'s for {@code 5xx}: the
 * upstream is to blame when a second document <b>begins</b> to get such answers with nothing
 * usable answered between; a document that got one before and gets one again is no sign (two
 * oversized documents retried back to back would otherwise be taken for a broken upstream at
 * every retry). Thread-safe: answers end on the upstream clients' threads.
 */
final class UnusableAnswers {
    /** Documents remembered per upstream at most; one more is still judged, only not remembered. */
    private static final int MAX_DOCUMENTS = 1_000;

    /** Per upstream: the documents answered so, each with {@link #answers} when it began to be. */
    private final List<Map<String, Long>> failing = new ArrayList<>();
    /** Per upstream: the usable answers it gave, in all. */
    private final long[] answers;

    /** For {@code upstreams} upstreams, numbered from 0. */
    UnusableAnswers(int upstreams) {
        answers = new long[upstreams];
        for (int i = 0; i < upstreams; i++) {
            failing.add(new HashMap<>());
        }
    }

    /** Upstream {@code i} answered {@code request} with a response (whatever its status): it is not broken. */
    synchronized void answered(int i, UpstreamRequest request) {
        answers[i]++;
        failing.get(i).remove(document(request));
    }

    /**
     * Upstream {@code i} answered {@code request} with what cannot be used. Returns true when that
     * makes the upstream broken: another document began to be answered so with nothing usable
     * answered between.
     */
    synchronized boolean brokenBy(int i, UpstreamRequest request) {
        Map<String, Long> docs = failing.get(i);
        String doc = document(request);
        if (docs.containsKey(doc)) {
            return false;
        }
        boolean second = docs.containsValue(answers[i]);
        if (docs.size() < MAX_DOCUMENTS) {
            docs.put(doc, answers[i]);
        }
        return second;
    }

    /** A request's document: its method and target (the queries to one target are one document). */
    private static String document(UpstreamRequest request) {
        return request.method() + " " + request.target();
    }
}
