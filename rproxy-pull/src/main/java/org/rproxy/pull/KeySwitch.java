package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.rproxy.core.sign.VerifiedRepresentation;

/**
 * Holds a pulled copy signed by a key its held copy was not signed by until the proxy holds the
 * directory of its version, asking for it past the caches in between when the one held is older.
 * That is the origin switching keys (step 2 of docs/origin.md, "Key rotation"), and it re-signed
 * the directory at the same moment, with the same {@code created} as every document of that
 * version, signed by the old key too and naming the next one. This proxy's update stream passes
 * each copy on in the order it holds them, and the proxy refreshes each document on its own
 * schedule: a map signed by the next key went out first, and a push proxy below that had not
 * learnt the key refused it ({@code UNKNOWN_KEY}) and had it sent again only after
 * {@code push.backoff-min}. Held after the directory, the copy follows it, and the stream sends
 * the directory, which is due first, before it.
 *
 * <p>A directory held signed at or after the copy (by {@code created}, the origin's own clock)
 * is of the switch's version or a later one, and was told to the stream when it was held: nothing
 * is asked for then. So the switch costs a node one directory request, not one per document it
 * re-signed, and none after the directory asked for because the copy's key was unknown
 * ({@link KeyChase}), which brought that version. Otherwise the wait is one directory attempt
 * (joined when one is under way), bounded by the upstream's timeouts; however it ends, the copy
 * is held after it. Nothing waits for a copy signed by the keys that signed the one held, the
 * directory itself, or a first copy. Thread-safe, stateless.
 */
final class KeySwitch {
    static final CacheKey DIRECTORY = CacheKey.get(UpstreamParts.DIRECTORY);

    private final CachedCopies copies;
    private final Supplier<CompletableFuture<FetchResult>> directory;

    /**
     * @param copies    where the directory held is read
     * @param directory starts (or joins) an attempt for the directory past the caches in between
     */
    KeySwitch(CachedCopies copies, Supplier<CompletableFuture<FetchResult>> directory) {
        this.copies = requireNonNull(copies, "copies");
        this.directory = requireNonNull(directory, "directory");
    }

    /** {@code attempt}, for {@code key} whose copy held was {@code held}, ended once the directory is asked for when it must be. */
    CompletableFuture<FetchResult> after(CacheKey key, CachedCopy held, CompletableFuture<FetchResult> attempt) {
        return attempt.thenCompose(r -> newKey(key, held, r) && !directoryOfItsVersion((FetchResult.Stored) r)
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

    /**
     * True when the directory held was signed at or after {@code s}'s copy. Read under the
     * directory entry's lock, which {@link CachedCopies#hold} holds from setting a copy to telling
     * the listeners of it: a directory seen here has been told to the update stream.
     */
    private boolean directoryOfItsVersion(FetchResult.Stored s) {
        Entry e = copies.get(DIRECTORY);
        if (e == null) {
            return false;
        }
        CachedCopy d;
        synchronized (e) {
            d = e.held();
        }
        return d != null && d.signed() && !d.identity().created().isBefore(s.held().identity().created());
    }
}
