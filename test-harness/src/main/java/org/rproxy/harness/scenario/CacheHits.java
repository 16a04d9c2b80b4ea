package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether an HTTP cache in front of a node answered most of the signed documents itself: the
 * viewers' document requests through the cache (directory or capability, network map; the same
 * few URLs for every viewer) set against the document requests that reached the node behind it
 * (plain GETs, counted by a relay between the two). Without this, a cache that passed every
 * request on would pass a scenario that claims to test caching, as every answer would verify.
 *
 * <p>The bound is half: "most answered by the cache". A cache holding each document for its
 * {@code max-age} asks the node about once per document, variant and {@code max-age} (plus a
 * revalidation in the stale window), however many viewers ask: with the scenario's defaults
 * (3,000 viewers over 30 s, two caches, max-age 4 s) that is some tens of requests against about
 * 3,000 document requests per cache, a hit ratio near 98 %; one passing everything on has 0 %.
 * Half leaves room for small runs (a few hundred viewers) without letting a pass-through cache by.
 * Queries (POST, and the XML lookups whose URL names the viewer's address) are left out: no
 * cache is expected to answer them. Pure functions.
 */
final class CacheHits {
    /** The least share of document requests a cache must answer itself. */
    static final double MIN_HIT_RATIO = 0.5;

    /** The viewer steps that GET a signed document whose URL every viewer shares. */
    static final Set<String> DOCUMENT_STEPS = Set.of("json directory", "xml capability", "json network-map", "xml prop-pid");

    private CacheHits() {
    }

    /**
     * @param viewerRequests document requests the viewers sent through the cache and got answered
     * @param behind         document requests that reached the node from the cache
     */
    record Counts(long viewerRequests, long behind) {
        /** The share answered by the cache; 0 when nothing was asked. */
        double hitRatio() {
            return viewerRequests == 0 ? 0 : Math.max(0, viewerRequests - behind) / (double) viewerRequests;
        }
    }

    /** Answered document requests in a viewers run's responses of one target, by step. */
    static long documentRequests(Map<String, Long> byStep) {
        return byStep.entrySet().stream().filter(e -> DOCUMENT_STEPS.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    /** Document requests among a relay's counts by "METHOD TARGET": GETs without a query. */
    static long documentRequestsBehind(Map<String, Long> byMethodAndTarget) {
        return byMethodAndTarget.entrySet().stream().filter(e -> e.getKey().startsWith("GET ") && !e.getKey().contains("?"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** The verdict line for one cache: passes when it answered at least {@link #MIN_HIT_RATIO} of them. */
    static Check check(String cache, Counts c) {
        String measured = c.viewerRequests() == 0
                ? "no document requests through it"
                : String.format(Locale.ROOT, "%.1f%% (%s of %s; %s reached the proxy)", c.hitRatio() * 100,
                        fmt(Math.max(0, c.viewerRequests() - c.behind())), fmt(c.viewerRequests()), fmt(c.behind()));
        return Check.of(cache + ": document requests answered from its cache", String.format(Locale.ROOT, ">= %.0f%%",
                MIN_HIT_RATIO * 100), measured, c.viewerRequests() > 0 && c.hitRatio() >= MIN_HIT_RATIO);
    }
}
