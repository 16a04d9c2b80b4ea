package org.rproxy.pull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * every document asked is broken. The rule is {@link UpstreamOutage}'s for {@code 5xx},
 * {@link FailingDocuments}: the upstream is to blame when a second document <b>begins</b> to get
 * such answers with nothing usable answered between, and no other upstream answered the same
 * request so ({@link Round}). Thread-safe: answers end on the upstream clients' threads.
 */
final class UnusableAnswers {
    /** Documents remembered per upstream at most; one more is still judged, only not remembered. */
    private static final int MAX_DOCUMENTS = 1_000;

    /** Per upstream: the documents answered so, and the usable answers it gave. */
    private final List<FailingDocuments<String>> failing = new ArrayList<>();

    /** For {@code upstreams} upstreams, numbered from 0. */
    UnusableAnswers(int upstreams) {
        for (int i = 0; i < upstreams; i++) {
            failing.add(new FailingDocuments<>(MAX_DOCUMENTS));
        }
    }

    /** Upstream {@code i} answered {@code request} with a response (whatever its status): it is not broken. */
    synchronized void answered(int i, UpstreamRequest request) {
        failing.get(i).answered(document(request));
    }

    /**
     * Upstream {@code i} answered {@code request} with what cannot be used. Returns true when that
     * makes the upstream broken: another document began to be answered so with nothing usable
     * answered between (that one stays remembered as failing: leaving the upstream is all that follows).
     */
    synchronized boolean brokenBy(int i, UpstreamRequest request) {
        FailingDocuments<String> docs = failing.get(i);
        String doc = document(request);
        return !docs.failing(doc) && !docs.began(doc).isEmpty();
    }

    /** A new round, for a request about to be asked of upstream after upstream. */
    Round round() {
        return new Round();
    }

    /**
     * One request asked of upstream after upstream, whose verdicts wait for its end. An upstream
     * that answers it what cannot be used, and is broken by that ({@link #brokenBy}), is found
     * broken only when no other upstream answered the same request so: when one did, the
     * documents are bad wherever they are asked, not the upstream. Two maps grown past
     * {@code max-body} at once, fetched back to back, marked the preferred upstream down, then the
     * fallback, each for answering what its siblings did. Used by the request's callbacks one
     * after another, each after the one before: no lock of its own.
     */
    final class Round {
        /** The upstreams broken by this request so far, each with why. */
        private final Map<Integer, String> suspects = new LinkedHashMap<>();
        private int unusable;

        /** Upstream {@code i} answered the request with what cannot be used, for {@code why}. */
        void unusable(int i, UpstreamRequest request, String why) {
            unusable++;
            if (brokenBy(i, request)) {
                suspects.put(i, why);
            }
        }

        /** At the request's end: the upstreams it found broken, each with why (none when several answered it so). */
        Map<Integer, String> broken() {
            return unusable > 1 ? Map.of() : Map.copyOf(suspects);
        }
    }

    /** A request's document: its method and target (the queries to one target are one document). */
    private static String document(UpstreamRequest request) {
        return request.method() + " " + request.target();
    }
}
