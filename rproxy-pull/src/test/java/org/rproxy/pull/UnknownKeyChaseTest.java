package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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

/**
 * A pull feed trusting the origin's old key, which meets a document signed by a key it does not
 * know: it asks for the directory again and verifies the document again with what it learnt
 * ({@link KeyChase}). Before, the document was refused ({@code 502}, {@code UNKNOWN_KEY}) until the
 * directory's next refresh, which, after a failed first fetch, was a retry pause away, and after
 * a good one a whole {@code max-age}. An upstream answering everything with an unknown key gets at
 * most one directory request per {@link KeyChase#INTERVAL} for it, however many answers it sends.
 */
class UnknownKeyChaseTest {
    private static final String DIRECTORY = "/directory";

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
    private final FakeUpstream upstream = new FakeUpstream(clock);
    private final TestSigner old = new TestSigner();
    private final TestSigner next = new TestSigner();
    /** A key nobody trusts here, and no directory the origin signed lists. */
    private final TestSigner stranger = new TestSigner();
    private final TrustedKeys keys = new TrustedKeys(List.of(old.publicKey()));
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final PullFeed feed;

    UnknownKeyChaseTest() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(1 << 20);
        PullMetrics metrics = new PullMetrics(registry, store, clock);
        EntryFetch fetch = new EntryFetch(upstream, new Admission(new ResponseVerifier(keys, clock), "1.1 edge", clock),
                new Rejections(metrics), metrics, Runnable::run, "1.1 edge");
        feed = new PullFeed(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), List.of()), store, fetch, metrics, clock, scheduler,
                new RetryPause(Duration.ofSeconds(5), () -> 0));
        feed.addChangeListener(UpstreamParts.learner(keys, clock));
    }

    @AfterEach
    void close() {
        feed.close();
        scheduler.shutdownNow();
    }

    /**
     * The origin after step 2 of a rotation: the directory signed by the old key, listing both;
     * {@code target} signed by the next.
     */
    private void midRotation(String target) {
        Instant created = clock.instant().minusSeconds(5);
        upstream.docs.put(DIRECTORY, old.sign(DIRECTORY,
                PullProxyTrustTest.listing(old.publicKey().jwk(), next.publicKey().jwk()), true,
                created, Duration.ofHours(1), 60));
        upstream.docs.put(target, next.sign(target, "{\"v\":1}", true, created, Duration.ofHours(1), 60));
    }

    @Test
    void aDocumentSignedByTheNextKeyIsServedOnceTheDirectoryAskedForAgainListsIt() throws Exception {
        midRotation("/costmap/a");
        Reply r = get("/costmap/a");
        // the old code: 502, "no valid copy of /costmap/a (upstream answer refused: UNKNOWN_KEY ...)"
        assertTrue(r instanceof Reply.Ok, r.toString());
        assertEquals(1, directoryRequests(), "the directory asked for once");
        assertTrue(keys.keyIds().contains(next.publicKey().keyId()), "the next key learnt: " + keys);
        assertEquals("no-cache", header(DIRECTORY, "cache-control"), "asked past the caches in between");
    }

    /**
     * A forwarded query ({@code queries: upstream}, or one the maps held cannot answer) goes through
     * the same attempt as a GET ({@link PullService} hands its POST to the feed): an answer signed
     * by the next key has the directory asked for, as a document does. The origin's query answers
     * are unsigned, so this is an upstream that signs them; the chase is not the GET path's alone.
     */
    @Test
    void aForwardedQueryAnswerSignedByTheNextKeyIsServedOnceTheDirectoryListsIt() throws Exception {
        midRotation("/endpointcost/lookup");
        String type = "application/alto-endpointcostparams+json";
        Bytes form = QueryDigest.form(type, Bytes.utf8("{\"endpoints\":{\"srcs\":[\"ipv4:192.0.2.1\"]}}"));
        Reply r = feed.serve(CacheKey.post("/endpointcost/lookup", type, QueryDigest.digest(form)),
                new UpstreamCall(type, form)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(r instanceof Reply.Ok, r.toString());
        assertEquals(1, directoryRequests(), "the directory asked for once");
    }

    /** An upstream signing with {@link #stranger}, the directory too (listing that key alone), and {@code target}. */
    private void strangerSigns(String target) {
        upstream.docs.put(DIRECTORY, stranger.sign(DIRECTORY, PullProxyTrustTest.listing(stranger.publicKey().jwk()),
                true, clock.instant().minusSeconds(5), Duration.ofHours(1), 60));
        upstream.docs.put(target, stranger.sign(target, "{\"v\":1}", true, clock.instant().minusSeconds(5),
                Duration.ofHours(1), 60));
    }

    @Test
    void aDirectorySignedByAnUnknownKeyTeachesNothingAndTheDocumentIsRefused() throws Exception {
        strangerSigns("/costmap/a");
        Reply r = get("/costmap/a");
        assertEquals(502, status(r));
        assertEquals(List.of(old.publicKey().keyId()), List.copyOf(keys.keyIds()), "nothing learnt");
        assertEquals(1, directoryRequests());
    }

    @Test
    void anUpstreamSigningEverythingWithAnUnknownKeyGetsTheDirectoryAskedForOncePerInterval() throws Exception {
        int served = 0;
        for (int round = 1; round <= 3; round++) {
            for (int i = 0; i < 20; i++) {
                String target = "/costmap/m" + served++; // each a miss of its own: no failure remembered answers it
                strangerSigns(target);
                assertEquals(502, status(get(target)));
            }
            assertEquals(round, directoryRequests(), "directory requests after round " + round + " of 20 documents");
            clock.advance(KeyChase.INTERVAL.minusMillis(1));
            String late = "/costmap/late" + round;
            strangerSigns(late);
            assertEquals(502, status(get(late)));
            assertEquals(round, directoryRequests(), "not again within the interval");
            clock.advance(Duration.ofMillis(1));
        }
        clock.advance(Duration.ofHours(-1)); // the clock stepped back: not held back for an hour
        strangerSigns("/costmap/after-step");
        assertEquals(502, status(get("/costmap/after-step")));
        assertEquals(4, directoryRequests(), "asked for again after the clock stepped back");
    }

    private Reply get(String path) throws Exception {
        return feed.serve(CacheKey.get(path), UpstreamCall.PLAIN_GET).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** The status of an error reply ({@code r} must be one). */
    private static int status(Reply r) {
        assertTrue(r instanceof Reply.Error, () -> "an error: " + r);
        return ((Reply.Error) r).error().httpStatus();
    }

    /** The attempts the upstream had for the directory: each asks for the gzip variant first. */
    private int directoryRequests() {
        return upstream.count(DIRECTORY, "gzip");
    }

    /** The value of {@code name} in the first request for {@code target}, or null. */
    private String header(String target, String name) {
        synchronized (upstream.log) {
            return upstream.log.stream().filter(r -> r.target().equals(target)).findFirst()
                    .flatMap(r -> r.headers().stream().filter(h -> h.name().equals(name)).findFirst())
                    .map(h -> h.value()).orElse(null);
        }
    }
}
