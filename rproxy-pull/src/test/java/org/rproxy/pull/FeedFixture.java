package org.rproxy.pull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * A pull feed over a {@link FakeUpstream}, trusting {@link #signer}, on a clock the test moves,
 * and the {@link PullService} in front of it with every task run at once on the calling thread
 * (no worker or query threads): where the tests of one behaviour of the service start. Made per
 * test and closed after it.
 */
final class FeedFixture implements AutoCloseable {
    /** The document the tests of one document's life serve, and a body of it. */
    static final String MAP = "/networkmap/default-network-map";
    static final String MAP_BODY = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]}}}";

    final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
    final FakeUpstream upstream = new FakeUpstream(clock);
    final TestSigner signer = new TestSigner();
    final PullFeed feed;
    /** Where the feed's and the service's meters are registered. */
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PullMetrics metrics;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    FeedFixture() {
        this(1 << 20);
    }

    /** With a store holding at most {@code maxBytes}. */
    FeedFixture(long maxBytes) {
        this(maxBytes, () -> 0);
    }

    /**
     * With a store holding at most {@code maxBytes}, and the pauses after failed attempts drawn
     * with {@code jitter} ({@link RetryPause}; 0 elsewhere: each pause the whole of {@code refresh.retry}).
     */
    FeedFixture(long maxBytes, java.util.function.DoubleSupplier jitter) {
        this(maxBytes, jitter, new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), List.of()));
    }

    /** With {@code settings} (their retry pause taken whole), and a store holding 1 MiB at most. */
    FeedFixture(PullFeed.Settings settings) {
        this(1 << 20, () -> 0, settings);
    }

    private FeedFixture(long maxBytes, java.util.function.DoubleSupplier jitter, PullFeed.Settings settings) {
        RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(maxBytes);
        metrics = new PullMetrics(registry, store, clock);
        EntryFetch fetch = new EntryFetch(upstream, new Admission(new ResponseVerifier(List.of(signer.publicKey()), clock),
                "1.1 edge", clock), new Rejections(metrics), metrics, Runnable::run, "1.1 edge");
        feed = new PullFeed(settings, store, fetch, metrics, clock, scheduler,
                new RetryPause(settings.retry(), jitter));
    }

    /** The service in front of the feed, forwarding every query, remembering 404s in {@code notFound} (null: not at all). */
    PullService service(NotFoundMemory notFound) {
        return new PullService(feed, Runnable::run, Runnable::run, null, metrics, notFound);
    }

    /** A plain GET of {@code path} through the feed: its reply, within 5 s. */
    Reply get(String path) throws Exception {
        return feed.serve(CacheKey.get(path), UpstreamCall.PLAIN_GET).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        feed.close();
        scheduler.shutdownNow();
    }
}
