package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.Upstream;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * {@link FitChase} through a pull feed whose upstream is an HTTP cache in front of the node: the
 * cache answers from its copy unless a request asks past it ({@value FitChase#HEADER}), as the
 * shipped nginx and Varnish configurations do. A map found behind is asked for past the cache
 * until the new version comes; maps that fit are never asked for that way.
 */
class FitChaseTest {
    private static final String COST_MAP = "/costmap/routingcost-map";
    private static final String OLD = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"nm\",\"tag\":\"1\"}]}}";
    private static final String NEW = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"nm\",\"tag\":\"2\"}]}}";

    final MutableClock clock = new MutableClock(PullFeedTest.T0);
    /** What the cache in between holds, and answers every request but those asking past it from. */
    final FakeUpstream cache = new FakeUpstream(clock);
    /** The node behind the cache. */
    final FakeUpstream node = new FakeUpstream(clock);
    final TestSigner signer = new TestSigner();
    ExecutorService work;
    ScheduledExecutorService scheduler;
    PullFeed feed;

    @BeforeEach
    void start() {
        work = Executors.newFixedThreadPool(2);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        Upstream throughTheCache = r -> (header(r, FitChase.HEADER) != null ? node : cache).send(r);
        RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(1 << 20);
        PullMetrics metrics = new PullMetrics(new SimpleMeterRegistry(), store, clock);
        ResponseVerifier verifier = new ResponseVerifier(List.of(signer.publicKey()), clock);
        EntryFetch fetch = new EntryFetch(throughTheCache, new Admission(verifier, "1.1 edge", clock),
                new Rejections(metrics), metrics, work, "1.1 edge");
        feed = new PullFeed(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), List.of()), store, fetch, metrics, clock, scheduler);
    }

    @AfterEach
    void stop() {
        feed.close();
        work.shutdownNow();
        scheduler.shutdownNow();
    }

    @Test
    void aMapBehindIsAskedForPastTheCacheUntilTheNewVersionIsHeld() throws Exception {
        Representation old = signer.sign(COST_MAP, OLD, false, clock.instant(), PullFeedTest.VALIDITY, 60);
        cache.docs.put(COST_MAP, old);
        node.docs.put(COST_MAP, old);
        assertTrue(get(COST_MAP) instanceof Reply.Ok);
        int askedOfTheCache = cache.log.size();
        clock.advance(Duration.ofSeconds(2));
        Representation renewed = signer.sign(COST_MAP, NEW, false, clock.instant(), PullFeedTest.VALIDITY, 60);
        node.docs.put(COST_MAP, renewed);

        feed.refit(Set.of(COST_MAP));
        Eventually.await("the new version held", Duration.ofSeconds(30),
                () -> renewed.identity().etag().equals(heldTag()));
        assertEquals(renewed.identity().etag(), heldTag(), "the new version, which the cache does not hand out");
        UpstreamRequest past = node.log.get(0);
        assertEquals("no-cache", header(past, "cache-control"));
        assertEquals("1", header(past, FitChase.HEADER));
        assertEquals(askedOfTheCache, cache.log.size(), "the cache was asked only for the first copy");
        feed.refit(Set.of()); // the maps fit: the spell ends
        assertFalse(feed.refitting(COST_MAP));
    }

    /**
     * A map found behind and then, before its first request past the cache is due, found to fit
     * (its new version came meanwhile) is not asked for. Checked once the request would have gone:
     * the scheduler, one thread, has run a task due after it, and the attempts under way then ended.
     */
    @Test
    void mapsThatFitAreNeverAskedForPastTheCache() throws Exception {
        Representation old = signer.sign(COST_MAP, OLD, false, clock.instant(), PullFeedTest.VALIDITY, 60);
        cache.docs.put(COST_MAP, old);
        node.docs.put(COST_MAP, old);
        assertTrue(get(COST_MAP) instanceof Reply.Ok);
        feed.refit(Set.of(COST_MAP));
        feed.refit(Set.of());
        scheduler.schedule(() -> { }, FitChase.FIRST_PAUSE.toMillis() + 500, TimeUnit.MILLISECONDS).get(30, TimeUnit.SECONDS);
        feed.quiet().get(30, TimeUnit.SECONDS);
        assertEquals(0, node.log.size(), "asked past the cache for a map that fits");
        assertFalse(feed.refitting(COST_MAP));
    }

    /**
     * A hostile cache in between answers the requests past it ({@value FitChase#HEADER}) with what
     * does not verify as the map's next version: an older signing, another resource's, another
     * key's, a body its digest does not match, a 304 whose fields alter what the signature covers.
     * Each is refused: the copy held stays, and the chase goes on until the genuine version comes.
     * A request past the caches is an ordinary attempt ({@link EntryFetch}, {@link Admission}),
     * which these answers show for the requests {@link FitChase} makes.
     */
    @Test
    void answersPastTheCacheThatDoNotVerifyLeaveTheCopyHeldAndTheChaseGoesOn() throws Exception {
        Representation old = signer.sign(COST_MAP, OLD, false, clock.instant(), PullFeedTest.VALIDITY, 60);
        cache.docs.put(COST_MAP, old);
        assertTrue(get(COST_MAP) instanceof Reply.Ok);
        clock.advance(Duration.ofSeconds(2));
        Instant later = clock.instant();
        Representation renewed = signer.sign(COST_MAP, NEW, false, later, PullFeedTest.VALIDITY, 60);
        Map<String, UpstreamResponse> hostile = new LinkedHashMap<>();
        hostile.put("an older signing", answer(200, signer.sign(COST_MAP, NEW, false, old.created().minusSeconds(10),
                PullFeedTest.VALIDITY, 60).identity().headers(), Bytes.utf8(NEW)));
        hostile.put("another resource's", answer(200, signer.sign("/costmap/other", NEW, false, later,
                PullFeedTest.VALIDITY, 60).identity().headers(), Bytes.utf8(NEW)));
        hostile.put("another key's", answer(200, new TestSigner().sign(COST_MAP, NEW, false, later,
                PullFeedTest.VALIDITY, 60).identity().headers(), Bytes.utf8(NEW)));
        hostile.put("a body its digest does not match", answer(200, renewed.identity().headers(),
                Bytes.utf8(NEW.replace("2", "3"))));
        List<HeaderField> altered = new ArrayList<>();
        for (HeaderField h : old.identity().headers()) {
            altered.add(h.name().equals("content-type")
                    ? new HeaderField(h.name(), "application/alto-costmap+json") : h);
        }
        hostile.put("a 304 altering a signed field", answer(304, altered, Bytes.empty()));

        for (Map.Entry<String, UpstreamResponse> h : hostile.entrySet()) {
            node.fixed = h.getValue();
            int before = node.log.size();
            clock.advance(Duration.ofMinutes(1)); // past the retry pause the refusal before set
            feed.refit(Set.of(COST_MAP));
            Eventually.await(h.getKey() + ": asked for past the cache", Duration.ofSeconds(30),
                    () -> node.log.size() > before);
            feed.quiet().get(30, TimeUnit.SECONDS);
            assertEquals(old.identity().etag(), heldTag(), h.getKey() + " refused, the copy held kept");
            assertEquals("1", header(node.log.get(before), FitChase.HEADER), h.getKey());
            feed.refit(Set.of());
        }

        node.fixed = null;
        node.docs.put(COST_MAP, renewed);
        clock.advance(Duration.ofMinutes(1));
        feed.refit(Set.of(COST_MAP));
        Eventually.await("the genuine new version held", Duration.ofSeconds(30),
                () -> renewed.identity().etag().equals(heldTag()));
    }

    /** An answer with {@code fields}, fresh for a minute, and {@code body}. */
    private static UpstreamResponse answer(int status, List<HeaderField> fields, Bytes body) {
        List<HeaderField> h = new ArrayList<>(fields);
        h.add(new HeaderField("cache-control", "max-age=60"));
        return new UpstreamResponse(status, h, body);
    }

    private Reply get(String target) throws Exception {
        return feed.serve(CacheKey.get(target), UpstreamCall.PLAIN_GET).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private String heldTag() {
        Representation r = feed.heldSigned(COST_MAP);
        return r == null ? null : r.identity().etag();
    }

    private static String header(UpstreamRequest r, String name) {
        return r.headers().stream().filter(h -> h.name().equals(name)).map(HeaderField::value).findFirst().orElse(null);
    }
}
