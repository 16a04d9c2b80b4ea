package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.rproxy.core.server.Reply;

/**
 * Remembers, for a short time, the GET targets the upstream answered {@code 404} or {@code 410}:
 * a client that asks for many made-up paths (or one, many times) costs at most one upstream
 * request per path per period instead of one per request. Concurrent misses for one path already
 * share one request ({@link PullFeed}); this covers the ones that follow.
 *
 * <p>Only GETs, keyed by the whole target: a 404 says the resource is not there, whoever asks;
 * a POST's error is about its body and is not remembered (nor is any other 4xx, which may be
 * about the query string a client can correct). The answer kept is the upstream's own ALTO error,
 * unsigned as every error is. Forgetting is by time only: a resource published upstream meanwhile
 * is hidden for at most the period (short, 5 s by default), the same staleness the proxy accepts
 * for documents within their {@code max-age}. Answering 404 from the held directory alone was
 * not chosen: the origin serves paths no directory lists (the seed's query paths, the XML
 * dialect's), so a path missing from the directory is not proof of a 404.
 *
 * <p>Bounded in count (Caffeine, least recently used out first); time from the injected clock.
 * Called on event loops (a lookup) and on the thread completing an upstream attempt; thread-safe.
 */
final class NotFoundMemory {
    private final Cache<String, Reply.Error> answers;

    /** Null when {@code period} is zero: nothing is remembered. */
    static NotFoundMemory of(Duration period, int maxEntries, Clock clock) {
        return period.isZero() ? null : new NotFoundMemory(period, maxEntries, clock);
    }

    private NotFoundMemory(Duration period, int maxEntries, Clock clock) {
        requireNonNull(clock, "clock");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
        }
        this.answers = Caffeine.newBuilder()
                .expireAfterWrite(period)
                .maximumSize(maxEntries)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
    }

    /** The upstream's 404/410 for a GET of {@code target} while remembered, else null. */
    Reply.Error answer(String target) {
        return answers.getIfPresent(target);
    }

    /** Remembers {@code reply} when it is the upstream's 404 or 410; returns it unchanged. */
    Reply note(String target, Reply reply) {
        if (reply instanceof Reply.Error e && (e.error().httpStatus() == 404 || e.error().httpStatus() == 410)) {
            answers.put(target, e);
        }
        return reply;
    }

    /** How many targets are remembered (tests; approximate under concurrent writes). */
    long size() {
        answers.cleanUp();
        return answers.estimatedSize();
    }
}
