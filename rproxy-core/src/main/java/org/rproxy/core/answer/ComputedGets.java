package org.rproxy.core.answer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The computed answers to GETs kept for one version of the holdings, by request target, within a
 * bound of bytes (Caffeine evicts the least used past it). Its own class so that {@link Answers}
 * loads Caffeine only when it keeps a first answer: the client library, which computes its answers
 * by method call and keeps none, never loads it. Thread-safe.
 */
final class ComputedGets {
    private final Cache<String, KeptAnswer> kept;

    /** @param maxBytes the bytes of answers (and their targets) kept at most */
    ComputedGets(long maxBytes) {
        kept = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, KeptAnswer v) -> (int) Math.min(Integer.MAX_VALUE, v.computed().weight() + k.length()))
                .build();
    }

    /** The answer kept for {@code target}, or null. */
    KeptAnswer get(String target) {
        return kept.getIfPresent(target);
    }

    void put(String target, KeptAnswer answer) {
        kept.put(target, answer);
    }
}
