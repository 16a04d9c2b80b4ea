package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a freshly started proxy's upstream attempts back until its first fetch of the directory
 * has ended. The directory is where the origin announces its next key: in the middle of a key
 * rotation (docs/origin.md, after step 2) every other document is signed by a key that only the
 * directory teaches a proxy configured with the old one. A client's miss fetched beside the
 * directory was verified before that key was learnt, and the client got {@code 502} saying the
 * origin's signature was by an unknown key, while a moment later the same request was served.
 *
 * <p>The wait blocks no thread: an attempt held back is started by whichever thread ends the
 * directory's fetch (the upstream client's or a worker), as {@link EntryFetch#run} may be. It is
 * bounded by that fetch, which the upstream's timeouts bound; however it ends (verified, refused,
 * failed, cut by the proxy's stop), the attempts held back go ahead and meet what they meet: after
 * a failed fetch, an answer signed by a key still unknown has the directory asked for again
 * ({@link KeyChase}). That would serve a miss sent beside the directory too, joining its fetch,
 * but a fetch that then failed would spend the chase's interval, and the miss would be refused;
 * held back here, it gets a directory attempt of its own after a failed one.
 * Attempts for the directory itself never wait, nor do forwarded queries (POST): their answers
 * are computed and unsigned (the signed maps they name are fetched as GETs, which wait), and a
 * query's body is weighed in the byte budget from the start of its exchange ({@link
 * WorkPool#holdBody}), so one held back here would wait outside that bound. Thread-safe.
 */
final class DirectoryFirst {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryFirst.class);
    private static final CacheKey DIRECTORY = CacheKey.get(UpstreamParts.DIRECTORY);

    /** Completes when the directory's first fetch has ended; done from the start when none is awaited. */
    private volatile CompletableFuture<Void> first = CompletableFuture.completedFuture(null);

    /** From now on, attempts wait for {@code fetch}, the directory's first, to end; returns it. */
    <F extends CompletableFuture<?>> F awaitFirst(F fetch) {
        requireNonNull(fetch, "fetch");
        first = fetch.handle((r, x) -> null);
        return fetch;
    }

    /**
     * Starts {@code attempt} for {@code key} now, or once the directory's first fetch has ended.
     * What {@code attempt} throws fails the future returned.
     */
    CompletableFuture<FetchResult> run(CacheKey key, Supplier<CompletableFuture<FetchResult>> attempt) {
        CompletableFuture<Void> f = first;
        if (f.isDone() || !key.isGet() || key.equals(DIRECTORY)) {
            return attempt.get();
        }
        LOG.debug("{}: waits for the first fetch of the directory, which may list the key it is signed by", key);
        return f.thenCompose(v -> attempt.get());
    }
}
