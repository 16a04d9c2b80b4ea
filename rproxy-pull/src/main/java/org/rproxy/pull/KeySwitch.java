package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.rproxy.core.sign.VerifiedRepresentation;

/**
 * Holds a pulled copy signed by a key its held copy was not signed by until the directory has
 * been asked for again, past the caches in between. That is the origin switching keys (step 2 of
 * docs/origin.md, "Key rotation"), and it re-signed the directory at the same moment, signed by
 * the old key too and naming the next one. This proxy's update stream passes each copy on in the
 * order it holds them, and the proxy refreshes each document on its own schedule: a map signed
 * by the next key went out first, and a push proxy below that had not learnt the key refused it
 * ({@code UNKNOWN_KEY}) and had it sent again only after {@code push.backoff-min}. Held after the
 * directory's attempt, the copy follows it, and the stream sends the directory, which is due
 * first, before it.
 *
 * <p>The wait is one directory attempt (joined when one is under way), bounded by the upstream's
 * timeouts; however it ends, the copy is held after it. Nothing waits for a copy signed by the
 * keys that signed the one held, the directory itself, or a first copy. Thread-safe, stateless.
 */
final class KeySwitch {
    static final CacheKey DIRECTORY = CacheKey.get(UpstreamParts.DIRECTORY);

    private final Supplier<CompletableFuture<FetchResult>> directory;

    /** @param directory starts (or joins) an attempt for the directory past the caches in between */
    KeySwitch(Supplier<CompletableFuture<FetchResult>> directory) {
        this.directory = requireNonNull(directory, "directory");
    }

    /** {@code attempt}, for {@code key} whose copy held was {@code held}, ended once the directory is asked for when it must be. */
    CompletableFuture<FetchResult> after(CacheKey key, CachedCopy held, CompletableFuture<FetchResult> attempt) {
        return attempt.thenCompose(r -> newKey(key, held, r)
                ? directory.get().handle((d, failure) -> r)
                : CompletableFuture.completedFuture(r));
    }

    /**
     * True when {@code r} is a signed copy for {@code key}, not the directory, that the verifier
     * took on a key other than the one that vouched for {@code held} (each as its verifier checked
     * it: a signature member a hop added, naming another key, does not count).
     */
    static boolean newKey(CacheKey key, CachedCopy held, FetchResult r) {
        if (!(r instanceof FetchResult.Stored s) || held == null || !key.isGet() || key.equals(DIRECTORY)) {
            return false;
        }
        VerifiedRepresentation before = held.identity().verified();
        VerifiedRepresentation now = s.held().identity().verified();
        return before != null && now != null && !Objects.equals(before.keyId(), now.keyId());
    }
}
