package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.Upstream;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * Why a pull proxy still holds its GET misses back until its first fetch of the directory has
 * ended ({@link DirectoryFirst}) now that an answer signed by an unknown key has the directory
 * asked for again ({@link KeyChase}): a miss sent beside that first fetch would have its chase
 * join it, and when it fails (the origin answering {@code 503} for a moment), the chase's one
 * attempt per {@link KeyChase#INTERVAL} is spent and the miss refused ({@code 502},
 * {@code UNKNOWN_KEY}). Held back, the miss goes upstream after the failure and its chase starts
 * a directory attempt of its own.
 */
class DirectoryFirstTest {
    private static final String DIRECTORY = "/directory";
    private static final String MAP = "/costmap/a";

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
    private final FakeUpstream upstream = new FakeUpstream(clock);
    private final TestSigner old = new TestSigner();
    private final TestSigner next = new TestSigner();
    private final TrustedKeys keys = new TrustedKeys(List.of(old.publicKey()));
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    /** Completes the directory's first request, with a {@code 503}. */
    private final CompletableFuture<Void> firstAnswered = new CompletableFuture<>();
    private final AtomicBoolean firstAsked = new AtomicBoolean();
    private final PullFeed feed;

    DirectoryFirstTest() {
        Upstream failingFirst = r -> r.target().equals(DIRECTORY) && firstAsked.compareAndSet(false, true)
                ? firstAnswered.thenApply(v -> new UpstreamResponse(503, List.of(), Bytes.empty()))
                : upstream.send(r);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(1 << 20);
        PullMetrics metrics = new PullMetrics(registry, store, clock);
        EntryFetch fetch = new EntryFetch(failingFirst, new Admission(new ResponseVerifier(keys, clock), "1.1 edge",
                clock), new Rejections(metrics), metrics, Runnable::run, "1.1 edge");
        feed = new PullFeed(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), List.of(DIRECTORY)), store, fetch, metrics, clock, scheduler,
                new RetryPause(Duration.ofSeconds(5), () -> 0));
        feed.addChangeListener(UpstreamParts.learner(keys, clock));
    }

    @AfterEach
    void close() {
        firstAnswered.complete(null);
        feed.close();
        scheduler.shutdownNow();
    }

    @Test
    void aMissBesideAFailingFirstDirectoryFetchIsServedAfterADirectoryAttemptOfItsOwn() throws Exception {
        // after step 2 of a rotation: the directory signed by the old key and naming both, the map by the next
        Instant created = clock.instant().minusSeconds(5);
        upstream.docs.put(DIRECTORY, old.sign(DIRECTORY,
                PullProxyTrustTest.listing(old.publicKey().jwk(), next.publicKey().jwk()), true, created,
                Duration.ofHours(1), 60));
        upstream.docs.put(MAP, next.sign(MAP, "{\"v\":1}", true, created, Duration.ofHours(1), 60));
        feed.start();
        assertTrue(firstAsked.get(), "the directory's first fetch under way");

        CompletableFuture<Reply> miss = feed.serve(CacheKey.get(MAP), UpstreamCall.PLAIN_GET).toCompletableFuture();
        firstAnswered.complete(null); // that fetch fails

        Reply r = miss.get(5, TimeUnit.SECONDS);
        // sent beside it (DirectoryFirst.run starting every attempt at once): 502, "no valid copy of
        // /costmap/a (upstream answer refused: UNKNOWN_KEY ...)"
        assertTrue(r instanceof Reply.Ok, r.toString());
        assertTrue(keys.keyIds().contains(next.publicKey().keyId()), "the next key learnt");
        assertTrue(upstream.count(DIRECTORY, "gzip") > 0, "the chase's directory attempt of its own");
    }
}
