package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.UpstreamException;
import org.rproxy.core.upstream.UpstreamResponse;

class PullFeedTest {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    static final Duration VALIDITY = Duration.ofHours(1);
    static final String MAP = "/networkmap/default-network-map";
    static final String BODY = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]}}}";

    final MutableClock clock = new MutableClock(T0);
    final FakeUpstream upstream = new FakeUpstream(clock);
    final TestSigner signer = new TestSigner();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExecutorService work;
    ScheduledExecutorService scheduler;
    RepresentationStore<CacheKey> store;
    PullMetrics metrics;
    PullFeed feed;
    /** The verifier of the feed made last. */
    ResponseVerifier verifier;

    @BeforeEach
    void start() {
        work = Executors.newFixedThreadPool(2);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        feed = feed(1 << 20, List.of());
    }

    @AfterEach
    void stop() {
        feed.close();
        work.shutdownNow();
        scheduler.shutdownNow();
    }

    PullFeed feed(long maxBytes, List<String> prefetch) {
        return feed(maxBytes, prefetch, upstream);
    }

    PullFeed feed(long maxBytes, List<String> prefetch, org.rproxy.core.upstream.Upstream upstream) {
        store = RepresentationStore.boundedBy(maxBytes);
        metrics = new PullMetrics(registry, store, clock);
        verifier = new ResponseVerifier(List.of(signer.publicKey()), clock);
        EntryFetch fetch = new EntryFetch(upstream, new Admission(verifier, "1.1 edge", clock),
                new Rejections(metrics), metrics, work, "1.1 edge");
        return new PullFeed(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), prefetch), store, fetch, metrics, clock, scheduler);
    }

    Reply get(String target) throws Exception {
        return feed.serve(CacheKey.get(target), UpstreamCall.PLAIN_GET).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    Representation ok(Reply r) {
        assertTrue(r instanceof Reply.Ok, () -> "expected a representation, got " + r);
        return ((Reply.Ok) r).representation();
    }

    void publish(String target, String body, boolean gzip) {
        upstream.docs.put(target, signer.sign(target, body, gzip, clock.instant(), VALIDITY, 60));
    }

    /** Upstream requests for the cost row itself (its source map is fetched too, once). */
    int rowRequests() {
        return upstream.requests.entrySet().stream().filter(e -> e.getKey().startsWith("/cost/row"))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** Upstream requests for {@code target}, any encoding. */
    int requests(String target) {
        return upstream.requests.entrySet().stream().filter(e -> e.getKey().startsWith(target + " "))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aMissFetchesOnceAndLaterRequestsAreHits() throws Exception {
        publish(MAP, BODY, false);
        Representation first = ok(get(MAP));
        Representation second = ok(get(MAP));
        assertEquals(1, upstream.total());
        assertEquals(first.identity().body(), second.identity().body());
        assertEquals(1.0, counter("rproxy.cache.misses"));
        assertEquals(1.0, counter("rproxy.cache.hits"));
    }

    @Test
    void eachAnswerSaysWhereItCameFromForTheAccessLog() throws Exception {
        publish(MAP, BODY, false);
        assertEquals(CacheStatus.MISS, ((Reply.Ok) get(MAP)).cache());
        assertEquals(CacheStatus.HIT, ((Reply.Ok) get(MAP)).cache());
        clock.advance(Duration.ofSeconds(90)); // past max-age 60, within stale-while-revalidate
        assertEquals(CacheStatus.STALE, ((Reply.Ok) get(MAP)).cache());
    }

    @Test
    void theBodyAndSignedFieldsAreTheUpstreamsWithViaAndAgeAdded() throws Exception {
        publish(MAP, BODY, false);
        Variant origin = upstream.docs.get(MAP).identity();
        ok(get(MAP));
        clock.advance(Duration.ofSeconds(7));
        Variant served = ok(get(MAP)).identity();
        assertEquals(origin.body(), served.body());
        for (String name : List.of("content-type", "content-digest", "etag", "alto-resource", "signature-input", "signature")) {
            assertEquals(origin.header(name), served.header(name), name);
        }
        assertEquals("1.1 edge", served.header("via").orElseThrow());
        assertEquals("7", served.header("age").orElseThrow());
    }

    @Test
    void aCopyACacheInBetweenHeldIsAsOldAsItsDateSaysWhenItsAgeSaysLess() throws Exception {
        // a cache that passes the stored Date on and the stored Age, never updated
        publish(MAP, BODY, false);
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().minusSeconds(16).atOffset(ZoneOffset.UTC));
        upstream.tamper = r -> {
            List<HeaderField> h = new ArrayList<>(r.headers());
            h.add(new HeaderField("date", date));
            h.add(new HeaderField("age", "0"));
            return new UpstreamResponse(r.status(), h, r.body());
        };
        ok(get(MAP));
        assertEquals(T0.plusSeconds(60 - 16), feed.entry(CacheKey.get(MAP)).held().freshUntil());
        clock.advance(Duration.ofSeconds(4));
        assertEquals("20", ok(get(MAP)).identity().header("age").orElseThrow());
    }

    @Test
    void concurrentMissesForOneKeyShareOneUpstreamRequest() throws Exception {
        publish(MAP, BODY, false);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.gate = gate;
        ExecutorService clients = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            replies.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return feed.serve(CacheKey.get(MAP), UpstreamCall.PLAIN_GET);
            }, clients).thenCompose(s -> s));
        }
        go.countDown();
        clients.shutdown();
        assertTrue(clients.awaitTermination(5, TimeUnit.SECONDS));
        gate.complete(null);
        for (CompletableFuture<Reply> r : replies) {
            assertEquals(Bytes.utf8(BODY), ok(r.get(5, TimeUnit.SECONDS)).identity().body());
        }
        assertEquals(1, upstream.total());
        assertEquals(199.0, counter("rproxy.cache.coalesced.waits"));
    }

    @Test
    void aDocumentWithAGzipVariantIsHeldWithBothVariants() throws Exception {
        publish(MAP, BODY, true);
        Representation r = ok(get(MAP));
        assertNotNull(r.gzip());
        assertEquals(upstream.docs.get(MAP).gzip().body(), r.gzip().body());
        assertEquals(upstream.docs.get(MAP).gzip().etag(), r.gzip().etag());
        assertEquals(1, upstream.count(MAP, "gzip"));
        assertEquals(1, upstream.count(MAP, "identity"));
    }

    @Test
    void aDocumentWithoutGzipVariantCostsOneRequest() throws Exception {
        publish(MAP, BODY, false);
        assertNull(ok(get(MAP)).gzip());
        assertEquals(1, upstream.count(MAP, "gzip"));
        assertEquals(0, upstream.count(MAP, "identity"));
    }

    @Test
    void withinASigningPeriodAStaleCopyIsServedAndRenewedByA304() throws Exception {
        publish(MAP, BODY, true);
        Representation first = ok(get(MAP));
        clock.advance(Duration.ofSeconds(90));
        Representation stale = ok(get(MAP));
        assertEquals(first.identity().header("signature"), stale.identity().header("signature"));
        assertEquals("90", stale.identity().header("age").orElseThrow());
        feed.quiet().get(5, TimeUnit.SECONDS);
        CachedCopy renewed = feed.entry(CacheKey.get(MAP)).held();
        assertEquals(T0.plusSeconds(90), renewed.identity().fetchedAt());
        assertEquals(first.identity().header("signature"), renewed.identity().variant().header("signature"));
        assertEquals(first.gzip().header("signature"), renewed.gzip().variant().header("signature"));
        assertEquals(2, conditionalRequests());
        assertEquals(1.0, counter("rproxy.cache.stale.served"));
    }

    /**
     * A revalidation within a signing period is answered 304 with the signing held: nothing it
     * covers changed and the body is the one verified, so neither variant is verified again (each
     * was, its signature checked and the whole body hashed, at every revalidation: every
     * {@code max-age}).
     */
    @Test
    void a304RepeatingTheSigningHeldIsNotVerifiedAgain() throws Exception {
        publish(MAP, BODY, true);
        ok(get(MAP));
        assertEquals(2, verifier.signatureChecks(), "the identity and the gzip variant, as fetched");
        clock.advance(Duration.ofSeconds(90));
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(2, conditionalRequests(), "both variants revalidated, answered 304");
        CachedCopy renewed = feed.entry(CacheKey.get(MAP)).held();
        assertEquals(T0.plusSeconds(90), renewed.identity().fetchedAt(), "renewed by the 304");
        assertEquals(T0.plusSeconds(90), renewed.gzip().fetchedAt());
        assertEquals(2, verifier.signatureChecks(), "the signing held, not checked again");
        assertTrue(renewed.identity().verified() != null, "held with the copy its verification made, to hand on");
    }

    @Test
    void aReSignedDocumentComesBackWholeWithItsNewTagsOnRevalidation() throws Exception {
        publish(MAP, BODY, true);
        Representation first = ok(get(MAP));
        clock.advance(Duration.ofSeconds(90));
        publish(MAP, BODY, true);
        Representation stale = ok(get(MAP));
        assertEquals(first.expires(), stale.expires());
        feed.quiet().get(5, TimeUnit.SECONDS);
        CachedCopy renewed = feed.entry(CacheKey.get(MAP)).held();
        assertEquals(T0.plusSeconds(90).plus(VALIDITY), renewed.expires());
        assertEquals(first.identity().body(), renewed.identity().variant().body());
        assertEquals(upstream.docs.get(MAP).identity().etag(), renewed.identity().etag());
        assertEquals(upstream.docs.get(MAP).gzip().etag(), renewed.gzip().etag());
        assertEquals(upstream.docs.get(MAP).gzip().header("signature"), renewed.gzip().variant().header("signature"));
        assertEquals(2, conditionalRequests(), "asked with the old tags, answered 200");
    }

    @Test
    void pastTheStaleWhileRevalidateWindowTheRequestWaitsForTheRevalidation() throws Exception {
        publish(MAP, BODY, false);
        ok(get(MAP));
        clock.advance(Duration.ofSeconds(121)); // max-age 60 + stale-while-revalidate 60, and one more
        publish(MAP, BODY, false);
        Representation served = ok(get(MAP));
        assertEquals(clock.instant().plus(VALIDITY), served.expires(), "the revalidated copy, not the old one");
        assertEquals("0", served.identity().header("age").orElseThrow());
        assertEquals(0.0, counter("rproxy.cache.stale.served"));
        assertEquals(2.0, counter("rproxy.cache.misses"));
    }

    @Test
    void pastTheWindowWithTheUpstreamFailingTheCopyIsServedWithinStaleIfError() throws Exception {
        publish(MAP, BODY, false);
        ok(get(MAP));
        upstream.failStatus = 503;
        clock.advance(Duration.ofMinutes(10));
        Representation served = ok(get(MAP));
        assertEquals(T0.plus(VALIDITY), served.expires());
        assertEquals(1.0, counter("rproxy.cache.stale.served"));
        assertEquals(2, upstream.total(), "the request waited for one attempt");
    }

    @Test
    void aCopyWhoseResponseAnnouncedNoStaleWindowsIsNeverServedStale() throws Exception {
        publish(MAP, BODY, false);
        upstream.tamper = r -> replace(r, "cache-control", "max-age=60");
        ok(get(MAP));
        upstream.failStatus = 503;
        clock.advance(Duration.ofSeconds(61));
        Reply r = get(MAP);
        assertTrue(r instanceof Reply.Error, r.toString());
        assertEquals(504, ((Reply.Error) r).error().httpStatus());
    }

    private long conditionalRequests() {
        return upstream.log.stream().filter(r -> r.headers().stream()
                .anyMatch(h -> h.name().equals("if-none-match"))).count();
    }

    @Test
    void hotEntriesAreRevalidatedAheadOfGoingStale() throws Exception {
        publish(MAP, BODY, false);
        ok(get(MAP));
        clock.advance(Duration.ofSeconds(10));
        ok(get(MAP));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(1, upstream.total(), "fresh and not yet near max-age: nothing to do");
        clock.advance(Duration.ofSeconds(46));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(2, upstream.total());
        assertEquals(T0.plusSeconds(56), feed.entry(CacheKey.get(MAP)).held().identity().fetchedAt());
    }

    @Test
    void aTargetAStreamFollowsIsFetchedAndRevalidatedAheadWithoutAnyRequest() throws Exception {
        publish(MAP, BODY, false);
        Set<String> followed = ConcurrentHashMap.newKeySet();
        feed.keepFresh(() -> followed);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(0, upstream.total(), "nothing followed, nothing fetched");
        followed.add(MAP);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(1, upstream.total(), "followed: fetched by the next pass");
        clock.advance(Duration.ofSeconds(56));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(2, upstream.total(), "no GET since the fetch, yet revalidated ahead of max-age");
        followed.clear();
        clock.advance(Duration.ofSeconds(58));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(2, upstream.total(), "followed no more and not asked for: left to go stale");
    }

    @Test
    void anEntryNobodyAskedForSinceItsFetchIsNotRefreshedAhead() throws Exception {
        publish(MAP, BODY, false);
        ok(get(MAP));
        clock.advance(Duration.ofSeconds(58));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(1, upstream.total());
    }

    @Test
    void withTheUpstreamDownACopyIsServedUntilExpiresThen504AndTheFeedRecoversByItself() throws Exception {
        publish(MAP, BODY, false);
        ok(get(MAP));
        upstream.down = true;
        clock.advance(Duration.ofMinutes(30));
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofMinutes(31));
        Reply gone = get(MAP);
        assertTrue(gone instanceof Reply.Error, gone.toString());
        assertEquals(504, ((Reply.Error) gone).error().httpStatus());
        assertTrue(((Reply.Error) gone).error().message().contains("no valid copy"));
        assertNotNull(feed.notReadyBecause());

        upstream.down = false;
        clock.advance(Duration.ofSeconds(5));
        publish(MAP, BODY, false);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertNull(feed.notReadyBecause());
        assertEquals(clock.instant().plus(VALIDITY), ok(get(MAP)).expires());
    }

    @Test
    void upstream5xxKeepsTheCopyServedWhileValid() throws Exception {
        publish(MAP, BODY, false);
        ok(get(MAP));
        upstream.failStatus = 503;
        clock.advance(Duration.ofMinutes(10));
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(Bytes.utf8(BODY), ok(get(MAP)).identity().body());
    }

    static Stream<Arguments> tampering() {
        return Stream.of(
                Arguments.of("a changed body byte", Outcome.DIGEST_MISMATCH),
                Arguments.of("another key", Outcome.UNKNOWN_KEY),
                Arguments.of("a changed signature", Outcome.BAD_SIGNATURE),
                Arguments.of("another resource's document", Outcome.WRONG_RESOURCE),
                Arguments.of("an expired signature", Outcome.EXPIRED),
                Arguments.of("an older signature (rollback)", Outcome.ROLLBACK),
                Arguments.of("no signature", Outcome.NO_SIGNATURE),
                Arguments.of("the gzip variant relabelled identity", Outcome.CODING_MISMATCH),
                Arguments.of("a 304 with a forged signature", Outcome.BAD_SIGNATURE));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("tampering")
    void eachTamperingIsRefusedCountedAndTheOldCopyStays(String tampering, Outcome outcome) throws Exception {
        Representation old = signer.sign(MAP, BODY, false, T0.minusSeconds(600), VALIDITY, 60);
        publish(MAP, BODY, false);
        Representation good = ok(get(MAP));
        clock.advance(Duration.ofSeconds(90));
        String changed = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/16\"]}}}";
        publish(MAP, changed, false);
        upstream.tamper = tamperer(tampering, old);
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(1, metrics.verificationFailures(outcome), tampering);
        Representation served = ok(get(MAP));
        assertEquals(good.identity().body(), served.identity().body());
        assertEquals(good.identity().header("signature"), served.identity().header("signature"));
    }

    private UnaryOperator<UpstreamResponse> tamperer(String how, Representation old) {
        TestSigner other = new TestSigner();
        return switch (how) {
            case "a changed body byte" -> r -> {
                byte[] b = r.body().toArray();
                b[b.length / 2] ^= 1;
                return new UpstreamResponse(r.status(), r.headers(), Bytes.wrap(b));
            };
            case "another key" -> r -> respond(other.sign(MAP, r.body().asUtf8(), false, clock.instant(), VALIDITY, 60));
            case "a changed signature" -> r -> replace(r, "signature", "alto=:" + "A".repeat(86) + "==:");
            case "another resource's document" -> r -> respond(signer.sign("/networkmap/other", BODY, false,
                    clock.instant(), VALIDITY, 60));
            case "an expired signature" -> r -> respond(signer.sign(MAP, BODY, false,
                    clock.instant().minus(Duration.ofHours(2)), VALIDITY, 60));
            case "an older signature (rollback)" -> r -> respond(old);
            case "the gzip variant relabelled identity" -> r -> {
                // Content-Encoding is not signed: the gzip variant's bytes, said to be the document
                Variant gz = signer.sign(MAP, BODY, true, clock.instant(), VALIDITY, 60).gzip();
                List<HeaderField> h = new ArrayList<>();
                for (HeaderField f : gz.headers()) {
                    h.add(f.name().equals("content-encoding") ? new HeaderField(f.name(), "identity") : f);
                }
                h.add(new HeaderField("cache-control", "max-age=60"));
                return new UpstreamResponse(200, h, gz.body());
            };
            case "no signature" -> r -> new UpstreamResponse(200, r.headers().stream()
                    .filter(h -> !h.name().startsWith("signature")).toList(), r.body());
            case "a 304 with a forged signature" -> r -> {
                // The held tag (the signing at T0), so the 304 names the held copy; a forged signature.
                UpstreamResponse renewed = respond(signer.sign(MAP, BODY, false, T0, VALIDITY, 60));
                return new UpstreamResponse(304, replace(renewed, "signature", "alto=:" + "B".repeat(86) + "==:")
                        .headers(), Bytes.empty());
            };
            default -> throw new IllegalArgumentException(how);
        };
    }

    @Test
    void aGzipAnswerOlderThanTheHeldIdentityMeansNoUsableGzipVariantNotARollback() throws Exception {
        // a cache in between (nginx, Varnish) holds the two variants apart: its gzip copy can come
        // from an older signing than its identity copy
        publish(MAP, BODY, true);
        Representation first = upstream.docs.get(MAP);
        ok(get(MAP));
        clock.advance(Duration.ofSeconds(90));
        publish(MAP, BODY, true);
        upstream.tamper = r -> r.status() == 200 && "gzip".equals(r.header("content-encoding")) ? respondGzip(first) : r;
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        CachedCopy held = feed.entry(CacheKey.get(MAP)).held();
        assertEquals(upstream.docs.get(MAP).identity().etag(), held.identity().etag());
        assertNull(held.gzip(), "the older gzip variant is not offered beside the newer identity");

        clock.advance(Duration.ofSeconds(90));
        int identityAsked = upstream.count(MAP, "identity");
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(identityAsked + 1, upstream.count(MAP, "identity"), "the identity request is still sent");
        held = feed.entry(CacheKey.get(MAP)).held();
        assertEquals(clock.instant(), held.identity().fetchedAt(), "the identity variant is renewed");
        assertNull(held.gzip());
        assertEquals(0, metrics.verificationFailures(Outcome.ROLLBACK));
        assertEquals(0.0, registry.find("rproxy.upstream.fetches").tag("result", "rejected").counters().stream()
                .mapToDouble(c -> c.count()).sum());
    }

    @Test
    void aGzipAnswerWhoseSignatureExpiredMeansNoUsableGzipVariantAndTheIdentityIsHeldAlone() throws Exception {
        // an upstream pairing signings (a push proxy, a cache in between) answers gzip with an
        // older signing of the gzip bytes, expired ten minutes ago, and identity with a fresh one
        Representation early = signer.sign(MAP, BODY, true, clock.instant().minus(Duration.ofMinutes(70)), VALIDITY, 60);
        publish(MAP, BODY, true);
        upstream.tamper = r -> r.status() == 200 && "gzip".equals(r.header("content-encoding")) ? respondGzip(early) : r;
        Representation served = ok(get(MAP));
        assertNull(served.gzip(), "no usable gzip variant");
        assertEquals(upstream.docs.get(MAP).identity().etag(), served.identity().etag());
        assertEquals(1, upstream.count(MAP, "gzip"));
        assertEquals(1, upstream.count(MAP, "identity"), "the identity variant asked for next");
        assertEquals(1, metrics.verificationFailures(Outcome.EXPIRED), "the gzip answer is counted as refused");
    }

    @Test
    void aGzipVariantRenewedBy304WithAnExpiredSignatureMeansNoUsableGzipVariant() throws Exception {
        publish(MAP, BODY, true);
        Representation first = ok(get(MAP));
        // past the first signing's expiry the upstream has a new identity signing, and the old gzip
        // one still: it answers the held gzip tag with 304 and the gzip variant's expired fields
        clock.advance(VALIDITY.plusMinutes(1));
        Representation renewed = signer.sign(MAP, BODY, false, clock.instant(), VALIDITY, 60);
        upstream.docs.put(MAP, new Representation(renewed.identity(), upstream.docs.get(MAP).gzip(), 60,
                renewed.created(), renewed.expires()));
        Representation served = ok(get(MAP));
        assertNull(served.gzip(), "no usable gzip variant");
        assertEquals(renewed.identity().etag(), served.identity().etag());
        assertTrue(upstream.log.stream().anyMatch(r -> r.headers().contains(new HeaderField("if-none-match",
                first.gzip().etag()))), "the gzip variant was asked for with its tag");
        assertEquals(1, metrics.verificationFailures(Outcome.EXPIRED));
    }

    @Test
    void aGzipAnswerWhoseSignatureExpiredBesideAnExpiredIdentityIsNoCopy() throws Exception {
        upstream.docs.put(MAP, signer.sign(MAP, BODY, true, clock.instant().minus(Duration.ofMinutes(70)), VALIDITY, 60));
        Reply r = get(MAP);
        assertTrue(r instanceof Reply.Error, "nothing expired is served: " + r);
        assertEquals(502, ((Reply.Error) r).error().httpStatus());
        assertEquals(1, upstream.count(MAP, "identity"), "the identity variant was asked for, and refused too");
        assertEquals(2, metrics.verificationFailures(Outcome.EXPIRED));
    }

    @Test
    void aGzipAnswerOlderThanTheHeldGzipVariantIsARollback() throws Exception {
        publish(MAP, BODY, true);
        Representation first = upstream.docs.get(MAP);
        clock.advance(Duration.ofSeconds(10));
        publish(MAP, BODY, true);
        Representation good = ok(get(MAP));
        clock.advance(Duration.ofSeconds(90));
        upstream.tamper = r -> "gzip".equals(r.header("content-encoding")) ? respondGzip(first) : r;
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(1, metrics.verificationFailures(Outcome.ROLLBACK));
        assertEquals(good.gzip().header("signature"), ok(get(MAP)).gzip().header("signature"));
    }

    private static UpstreamResponse respondGzip(Representation rep) {
        List<HeaderField> h = new ArrayList<>(rep.gzip().headers());
        h.add(new HeaderField("cache-control", "max-age=60, no-transform, stale-while-revalidate=60, stale-if-error=600"));
        return new UpstreamResponse(200, h, rep.gzip().body());
    }

    private static UpstreamResponse respond(Representation rep) {
        List<HeaderField> h = new ArrayList<>(rep.identity().headers());
        h.add(new HeaderField("cache-control", "max-age=60"));
        return new UpstreamResponse(200, h, rep.identity().body());
    }

    private static UpstreamResponse replace(UpstreamResponse r, String name, String value) {
        List<HeaderField> h = new ArrayList<>();
        for (HeaderField f : r.headers()) {
            h.add(f.name().equals(name) ? new HeaderField(name, value) : f);
        }
        return new UpstreamResponse(r.status(), h, r.body());
    }

    @Test
    void aComputedAnswerIsPassedThroughUnsignedAndCachedForItsMaxAge() throws Exception {
        Variant v = new Variant(Bytes.utf8("<alto/>"), null, List.of(new HeaderField("content-type", "application/xml"),
                new HeaderField("alto-derived-from", "\"routingcost-map\";path=\"/cost/map\";etag=\"x\"")));
        upstream.docs.put("/cost/row?srcpid=PID1", new Representation(v, null, 30, T0, T0.plusSeconds(30)));
        Representation r = ok(get("/cost/row?srcpid=PID1"));
        assertFalse(r.identity().signed());
        assertTrue(r.identity().header("alto-derived-from").isPresent());
        ok(get("/cost/row?srcpid=PID1"));
        assertEquals(1, rowRequests());
        clock.advance(Duration.ofSeconds(31));
        ok(get("/cost/row?srcpid=PID1"));
        assertEquals(2, rowRequests());
    }

    @Test
    void aComputedAnswerPassedOnKeepsTheWindowsItCameWithItsAgeCountingOn() throws Exception {
        Variant v = new Variant(Bytes.utf8("<alto/>"), null, List.of(new HeaderField("content-type", "application/xml"),
                new HeaderField("alto-derived-from", "\"routingcost-map\";path=\"/cost/map\";etag=\"x\"")));
        // the upstream announces max-age=60, stale-while-revalidate=60, stale-if-error=3539
        upstream.docs.put("/cost/row?srcpid=PID1", new Representation(v, null, 60, T0, T0.plusSeconds(3600)));
        Representation r = ok(get("/cost/row?srcpid=PID1"));
        assertEquals(new Representation.Windows(60, 60, 3538), r.windowsAt(clock.instant()), "a second spared");
        clock.advance(Duration.ofSeconds(20));
        Representation held = ok(get("/cost/row?srcpid=PID1"));
        assertEquals("20", held.identity().header("age").orElse(null));
        assertEquals(new Representation.Windows(60, 60, 3518), held.windowsAt(clock.instant()),
                "the same end, counted from now");
        assertEquals(1, rowRequests());
    }

    @Test
    void anAnswerPassedOnWithoutStaleWindowsStaysFreshDownstreamAsLongAsUpstreamSaid() throws Exception {
        Variant v = new Variant(Bytes.utf8("{}"), null, List.of(new HeaderField("content-type", "application/json"),
                new HeaderField("alto-derived-from", "")));
        // resting on no signature (as a static endpoint property does), the upstream announces max-age=59 alone
        upstream.docs.put("/prop/pid?pid=PID1", new Representation(v, null, 60, T0, T0.plusSeconds(60)));
        assertEquals(new Representation.Windows(58, 0, 0), ok(get("/prop/pid?pid=PID1")).windowsAt(clock.instant()));
        clock.advance(Duration.ofSeconds(20));
        Representation held = ok(get("/prop/pid?pid=PID1"));
        assertEquals("20", held.identity().header("age").orElse(null));
        // a cache honouring Age keeps it fresh until 58 s after the upstream's answer, not 38
        assertEquals(new Representation.Windows(58, 0, 0), held.windowsAt(clock.instant()));
    }

    @Test
    void withTheUpstreamDownAComputedAnswerIsServedWhileTheSignedMapsItNamesStayValid() throws Exception {
        publish(MAP, BODY, false);
        String etag = ok(get(MAP)).identity().etag().replace("\"", "");
        Variant v = new Variant(Bytes.utf8("<alto/>"), null, List.of(new HeaderField("content-type", "application/xml"),
                new HeaderField("alto-derived-from", "\"default-network-map\";path=\"" + MAP + "\";etag=\"" + etag + "\"")));
        upstream.docs.put("/cost/row?srcpid=PID1", new Representation(v, null, 30, T0, T0.plusSeconds(30)));
        ok(get("/cost/row?srcpid=PID1"));
        upstream.down = true;
        clock.advance(Duration.ofSeconds(31));
        assertFalse(ok(get("/cost/row?srcpid=PID1")).identity().signed(), "past max-age, upstream down: still served");
        ok(get("/cost/row?srcpid=PID1"));
        clock.advance(VALIDITY);
        Reply gone = get("/cost/row?srcpid=PID1");
        assertTrue(gone instanceof Reply.Error, "once the source map has expired: " + gone);
    }

    @Test
    void aComputedAnswerWhoseSourcesAreNotValidIsNotServedStale() throws Exception {
        Variant v = new Variant(Bytes.utf8("<alto/>"), null, List.of(new HeaderField("content-type", "application/xml"),
                new HeaderField("alto-derived-from", "\"default-network-map\";path=\"" + MAP + "\";etag=\"other\"")));
        publish(MAP, BODY, false);
        upstream.docs.put("/cost/row?srcpid=PID1", new Representation(v, null, 30, T0, T0.plusSeconds(30)));
        ok(get("/cost/row?srcpid=PID1"));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertTrue(upstream.total() >= 2, "the named source map is fetched too: " + upstream.total());
        upstream.down = true;
        clock.advance(Duration.ofSeconds(31));
        Reply gone = get("/cost/row?srcpid=PID1");
        assertTrue(gone instanceof Reply.Error, "the held map is another version than the one named: " + gone);
    }

    @Test
    void anUnmarkedUnsignedGetAnswerIsRefused() throws Exception {
        Variant v = new Variant(Bytes.utf8(BODY), null, List.of(new HeaderField("content-type", "application/json")));
        upstream.docs.put(MAP, new Representation(v, null, 30, T0, T0.plusSeconds(30)));
        Reply r = get(MAP);
        assertEquals(502, ((Reply.Error) r).error().httpStatus());
        assertEquals(1, metrics.verificationFailures(Outcome.NO_SIGNATURE));
    }

    @Test
    void anUnsignedAnswerMarkedAsComputedIsRefusedForADocument() throws Exception {
        // nothing held yet: an untrusted upstream's unsigned directory would have been held for its max-age
        for (String target : List.of("/directory", MAP, "/cost/map?type=hopcount")) {
            Variant v = new Variant(Bytes.utf8(BODY), null, List.of(new HeaderField("content-type", "application/json"),
                    new HeaderField("alto-derived-from", "anything")));
            upstream.docs.put(target, new Representation(v, null, 999_999_999, T0, T0.plusSeconds(999_999_999)));
            Reply r = get(target);
            assertEquals(502, ((Reply.Error) r).error().httpStatus(), target);
        }
        assertEquals(3, metrics.verificationFailures(Outcome.NO_SIGNATURE));
    }

    @Test
    void aPostQueryIsKeyedByItsCanonicalBody() throws Exception {
        Variant v = new Variant(Bytes.utf8("{\"endpoint-properties\":{}}"), null, List.of(
                new HeaderField("content-type", "application/alto-endpointprop+json"),
                new HeaderField("alto-derived-from", "\"default-network-map\";path=\"/networkmap/default-network-map\"")));
        upstream.docs.put("/endpointprop", new Representation(v, null, 30, T0, T0.plusSeconds(30)));
        String type = "application/alto-endpointpropparams+json";
        Reply a = post("/endpointprop", type, "{\"properties\":[\"p\"],\"endpoints\":[\"ipv4:1.2.3.4\"]}");
        Reply b = post("/endpointprop", type, "{ \"endpoints\" : [\"ipv4:1.2.3.4\"], \"properties\":[\"p\"] }");
        Reply c = post("/endpointprop", type, "{\"properties\":[\"p\"],\"endpoints\":[\"ipv4:9.9.9.9\"]}");
        assertEquals(ok(a).identity().body(), ok(b).identity().body());
        ok(c);
        assertEquals(2, upstream.total());
        assertEquals("POST", upstream.log.get(0).method());
        assertEquals("{\"properties\":[\"p\"],\"endpoints\":[\"ipv4:1.2.3.4\"]}", upstream.log.get(0).body().asUtf8());
    }

    private Reply post(String target, String type, String body) throws Exception {
        CacheKey key = CacheKey.post(target, type, QueryDigest.of(type, Bytes.utf8(body)));
        return feed.serve(key, new UpstreamCall(type, Bytes.utf8(body))).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aResourceTheUpstreamNoLongerHasIsAnswered404AndForgotten() throws Exception {
        List<String> gone = new java.util.concurrent.CopyOnWriteArrayList<>();
        feed.addGoneListener(gone::add);
        publish(MAP, BODY, false);
        ok(get(MAP));
        Reply never = get("/networkmap/never-held");
        assertEquals(404, ((Reply.Error) never).error().httpStatus());
        assertEquals(List.of(), gone, "a target never held or tracked is nobody's news");
        upstream.docs.clear();
        clock.advance(Duration.ofHours(2));
        Reply r = get(MAP);
        assertEquals(404, ((Reply.Error) r).error().httpStatus());
        assertNull(feed.entry(CacheKey.get(MAP)));
        assertNull(store.get(CacheKey.get(MAP)));
        assertEquals(List.of(MAP), gone, "the listeners (an update stream's publisher) are told");
    }

    static String directoryListing(String mapId) {
        return "{\"meta\":{\"default-alto-network-map\":\"" + mapId + "\"},\"resources\":{\"" + mapId
                + "\":{\"uri\":\"/networkmap/" + mapId + "\",\"media-type\":\"application/alto-networkmap+json\"}}}";
    }

    @Test
    void aSignedCopyTheSignedDirectoryListsOutlivesTheUpstreams404UntilADirectoryWithoutItComes() throws Exception {
        // The upstream is not trusted: a parent answering 404 must not delete a valid signed map
        // its proxies hold while the origin's signed directory still lists it
        feed.close();
        feed = feed(1 << 20, List.of("/directory"));
        List<String> gone = new java.util.concurrent.CopyOnWriteArrayList<>();
        feed.addGoneListener(gone::add);
        publish("/directory", directoryListing("default-network-map"), false);
        publish(MAP, BODY, false);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        Representation held = ok(get(MAP));
        clock.advance(Duration.ofSeconds(30));
        ok(get(MAP)); // asked for: kept fresh by the refresher

        upstream.docs.remove(MAP);
        clock.advance(Duration.ofSeconds(31)); // past max-age 60: the refresher revalidates, and hears 404
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertTrue(feed.entry(CacheKey.get(MAP)).disputed(), "the upstream was asked and answered 404");
        assertEquals(held.identity().body(), ok(get(MAP)).identity().body(), "the signed copy is still served");
        assertNotNull(store.get(CacheKey.get(MAP)));
        assertEquals(List.of(), gone, "nobody is told it is gone");

        // the origin retires the map: its signed directory no longer lists it
        clock.advance(Duration.ofSeconds(9));
        publish("/directory", directoryListing("other-network-map"), false);
        clock.advance(Duration.ofSeconds(60));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(List.of(MAP), gone, "retired once a signed directory without it is held");
        assertNull(store.get(CacheKey.get(MAP)));
        assertEquals(404, ((Reply.Error) get(MAP)).error().httpStatus());
    }

    @Test
    void aSignedCopyTheSignedDirectoryDoesNotListGoesAtTheUpstreams404() throws Exception {
        feed.close();
        feed = feed(1 << 20, List.of("/directory"));
        List<String> gone = new java.util.concurrent.CopyOnWriteArrayList<>();
        feed.addGoneListener(gone::add);
        publish("/directory", directoryListing("other-network-map"), false);
        publish(MAP, BODY, false);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        ok(get(MAP));
        clock.advance(Duration.ofSeconds(30));
        ok(get(MAP));
        upstream.docs.remove(MAP);
        clock.advance(Duration.ofSeconds(31));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(List.of(MAP), gone);
        assertNull(store.get(CacheKey.get(MAP)));
    }

    /**
     * The origin's clock was stepped back and it signs for a day now: its next signing is older
     * than the copy held (signed for an hour). Pulled or offered (the push feed of {@code proxy
     * --mode push}), it is a rollback while the copy held is valid, and taken once that copy has
     * expired: the expired copy held refused every later signing, and the proxy answered 502.
     */
    @Test
    void anOlderSigningIsARollbackWhileTheCopyHeldIsValidAndTakenOnceItHasExpired() throws Exception {
        feed.close();
        feed = feed(20_000, List.of());
        publish(MAP, BODY.replace("10.0.0.0/8", "10.0.0.0/16"), false); // valid for an hour
        Representation held = ok(get(MAP));
        Representation stepped = signer.sign(MAP, BODY, false, clock.instant().minus(Duration.ofMinutes(30)),
                Duration.ofDays(1), 60);
        upstream.docs.put(MAP, stepped);

        clock.advance(Duration.ofSeconds(90)); // past max-age: revalidated
        assertFalse(feed.offer(Offers.of(signer, clock, MAP, stepped), "1.1 edge"),
                "offered while the copy held is valid: a rollback");
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(held.identity().etag(), ok(get(MAP)).identity().etag(), "pulled: refused while valid");

        clock.advance(VALIDITY); // the copy held has expired
        assertEquals(stepped.identity().etag(), ok(get(MAP)).identity().etag(), "pulled once it has expired");
    }

    @Test
    void anOlderSigningIsOfferedAndHeldOnceTheCopyHeldHasExpired() throws Exception {
        feed.close();
        feed = feed(20_000, List.of());
        publish(MAP, BODY.replace("10.0.0.0/8", "10.0.0.0/16"), false); // valid for an hour
        ok(get(MAP));
        Representation stepped = signer.sign(MAP, BODY, false, clock.instant().minus(Duration.ofMinutes(30)),
                Duration.ofDays(1), 60);
        clock.advance(VALIDITY);
        assertTrue(feed.offer(Offers.of(signer, clock, MAP, stepped), "1.1 edge"), "the copy held has expired");
        assertEquals(stepped.identity().etag(), store.get(CacheKey.get(MAP)).identity().etag());
    }

    @Test
    void anOlderSigningIsStillARollbackAfterTheCopyWasEvicted() throws Exception {
        // a lagging fallback, a cache in between or a replaying parent serves an older signing
        // that has not expired: refused while the newer copy is held, and after it is evicted too
        feed.close();
        feed = feed(20_000, List.of());
        Representation v1 = signer.sign(MAP, BODY, true, clock.instant(), VALIDITY, 60);
        clock.advance(Duration.ofSeconds(10));
        publish(MAP, BODY.replace("10.0.0.0/8", "10.0.0.0/16"), true);
        Representation v2 = ok(get(MAP));

        upstream.docs.put(MAP, v1);
        clock.advance(Duration.ofSeconds(90)); // past max-age: revalidated, and the upstream has gone back
        ok(get(MAP));
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(v2.identity().etag(), ok(get(MAP)).identity().etag(), "refused while v2 is held");

        evict(MAP);

        // pushed (the push feed of a push proxy, or --seed-bundles) as well as pulled
        assertFalse(feed.offer(Offers.of(signer, clock, MAP, v1), "1.1 edge"), "an offered v1 is a rollback too");

        Reply r = get(MAP);
        assertTrue(r instanceof Reply.Error, "v1 is a rollback still: " + r);
        assertEquals(502, ((Reply.Error) r).error().httpStatus());
        assertTrue(((Reply.Error) r).error().message().contains("ROLLBACK"), r.toString());

        clock.advance(VALIDITY); // v2's signature has expired: nothing is held against v1 (expired too) any more
        upstream.docs.put(MAP, signer.sign(MAP, BODY, true, clock.instant(), VALIDITY, 60));
        ok(get(MAP));
    }

    @Test
    void aPassThatReadAnEntryJustBeforeTheStoreEvictedItsCopyDoesNotFetchItAgain() throws Exception {
        // MemoryBoundIT once counted a document fetched twice though asked for once: a refresher
        // pass had read its entry from the table, the store evicted the copy (--max-bytes) while
        // another document was held, and the pass took the entry holding nothing for one whose
        // copy was lost, and fetched it again
        feed.close();
        feed = feed(20_000, List.of());
        publish(MAP, BODY, false);
        ok(get(MAP));
        Entry read = feed.entry(CacheKey.get(MAP)); // as a pass reads it from the table
        evict(MAP);
        assertNull(read.held(), "the store let its copy go");
        int before = upstream.total();

        assertNull(feed.tick(read), "no attempt started");
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(before, upstream.total(), "nobody asked for it again: not fetched");

        ok(get(MAP));
        assertEquals(before + 1, upstream.total(), "the next request fetches it");
    }

    @Test
    void aRefusedOfferOfACopyLetGoLeavesNoEntryAndAFollowedTargetIsFetchedByTheNextPass() throws Exception {
        feed.close();
        feed = feed(20_000, List.of());
        Representation v1 = signer.sign(MAP, BODY, false, clock.instant(), VALIDITY, 60);
        clock.advance(Duration.ofSeconds(10));
        publish(MAP, BODY.replace("10.0.0.0/8", "10.0.0.0/16"), false);
        ok(get(MAP));
        evict(MAP);
        int before = upstream.total();

        assertFalse(feed.offer(Offers.of(signer, clock, MAP, v1), "1.1 edge"), "older than the copy let go: a rollback");
        assertNull(feed.entry(CacheKey.get(MAP)), "nothing held, nothing tracked");
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(before, upstream.total(), "not asked for: not fetched");

        Set<String> followed = ConcurrentHashMap.newKeySet();
        feed.keepFresh(() -> followed);
        followed.add(MAP);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(before + 1, upstream.total(), "followed: fetched by the next pass");
        assertNotNull(feed.heldSigned(MAP));
    }

    /** Fetches other documents, each asked for twice, until the store has evicted {@code target}'s copy. */
    private void evict(String target) throws Exception {
        String big = "x".repeat(1000);
        for (int i = 0; i < 400 && feed.entry(CacheKey.get(target)) != null; i++) {
            publish("/doc/" + i, big, false);
            ok(get("/doc/" + i));
            ok(get("/doc/" + i));
        }
        assertNull(feed.entry(CacheKey.get(target)), "evicted (--max-bytes)");
    }

    @Test
    void anUpstream405PassesOnWhatTheResourceAccepts() throws Exception {
        upstream.fixed = new UpstreamResponse(405, List.of(new HeaderField("content-type", "application/alto-error+json"),
                new HeaderField("allow", "POST")), Bytes.utf8("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\","
                + "\"field\":\"method\",\"value\":\"GET\",\"message\":\"method: GET (expected: POST)\"}}"));
        Reply.Error error = (Reply.Error) get("/endpointprop");
        assertEquals(405, error.error().httpStatus());
        assertEquals("method", error.error().field());
        assertEquals("POST", error.allow());
    }

    @Test
    void anUpstreamErrorOtherThan405CarriesNoAllow() throws Exception {
        Reply.Error error = (Reply.Error) get("/nothing");
        assertEquals(404, error.error().httpStatus());
        assertNull(error.allow());
    }

    @Test
    void theStoreStaysUnderItsBoundWhileFarMoreIsFetched() throws Exception {
        feed.close();
        feed = feed(20_000, List.of());
        String big = "x".repeat(1000);
        for (int i = 0; i < 200; i++) {
            publish("/doc/" + i, big, false);
            ok(get("/doc/" + i));
            assertTrue(store.weightedBytes() <= 20_000, "held " + store.weightedBytes());
        }
        assertTrue(store.size() < 20);
        ok(get("/doc/0"));
        assertEquals(201, upstream.total(), "an evicted entry is fetched again");
    }

    /** /readyz names every resource without a valid copy (rv5: it named one, "e.g."), up to a bound, then counts. */
    @Test
    void readinessNamesEveryResourceWithoutACopyUpToABound() throws Exception {
        feed.close();
        feed = feed(1 << 20, List.of(MAP, "/directory"));
        String why = feed.notReadyBecause();
        assertTrue(why.startsWith("2 of 2 resources hold no valid copy ("), why);
        assertTrue(why.contains(MAP) && why.contains("/directory") && !why.contains("e.g.") && !why.contains("more"), why);
        feed.close();
        List<String> many = java.util.stream.IntStream.range(0, 8).mapToObj(i -> "/doc/" + i).toList();
        feed = feed(1 << 20, many);
        why = feed.notReadyBecause();
        assertTrue(why.startsWith("8 of 8 resources hold no valid copy (") && why.endsWith("; and 3 more)"), why);
        assertEquals(5, many.stream().filter(why::contains).count(), why);
    }

    @Test
    void readinessWaitsForThePrefetchedResources() throws Exception {
        feed.close();
        feed = feed(1 << 20, List.of(MAP, "/directory"));
        publish(MAP, BODY, false);
        // Which one is named depends on the entry map's order (CacheKey hashes an enum).
        assertTrue(feed.notReadyBecause().startsWith("2 of 2 resources hold no valid copy (/"),
                feed.notReadyBecause());
        upstream.failStatus = 503;
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertTrue(feed.notReadyBecause().startsWith("2 of 2 resources hold no valid copy (/"),
                feed.notReadyBecause());
        assertTrue(feed.notReadyBecause().contains(": upstream "), "says what the upstream did: " + feed.notReadyBecause());
        upstream.failStatus = 0;
        publish("/directory", "{}", false);
        clock.advance(Duration.ofSeconds(5));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertNull(feed.notReadyBecause());
        assertEquals(2, upstream.count(MAP, "gzip"), "refused, then prefetched");
        ok(get(MAP));
        assertEquals(2, upstream.count(MAP, "gzip"), "a hit");
    }

    @Test
    void aPrefetchedTargetTheUpstreamHasNoneOfDoesNotHoldReadinessBackAndIsAskedAgainAfterTheRetryInterval()
            throws Exception {
        // an upstream without a directory: its 404 is an answer (the one the proxy gives), as for
        // a map it cannot serve; readiness waits only for what the upstream did not answer
        feed.close();
        feed = feed(1 << 20, List.of(MAP, "/directory"));
        publish(MAP, BODY, false);
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertNull(feed.notReadyBecause());
        assertEquals(1, requests("/directory"));
        clock.advance(Duration.ofSeconds(1));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(1, requests("/directory"), "asked again after the retry pause, not at every pass");
        Reply none = get("/directory");
        assertEquals(404, ((Reply.Error) none).error().httpStatus(), "the upstream's answer: " + none);
        assertEquals(2, requests("/directory"), "a client's miss asks (the service remembers 404s for a while)");
        upstream.down = true;
        clock.advance(Duration.ofSeconds(5));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(3, requests("/directory"));
        assertNull(feed.notReadyBecause(), "an outage after the upstream's 404 does not make the proxy unready");
        upstream.down = false;

        publish("/directory", "{}", false);
        clock.advance(Duration.ofSeconds(5));
        feed.refreshNow().get(5, TimeUnit.SECONDS);
        assertEquals(4, requests("/directory"));
        ok(get("/directory"));
        assertNull(feed.notReadyBecause());
    }

    @Test
    void anUnreachableUpstreamOnAColdMissIsA504() throws Exception {
        upstream.down = true;
        Reply r = get(MAP);
        assertEquals(504, ((Reply.Error) r).error().httpStatus());
        assertTrue(((Reply.Error) r).error().message().contains("upstream unreachable: connection refused"), r.toString());
    }

    @Test
    void anUpstreamThatTimesOutIsA504SayingSo() throws Exception {
        upstream.down = true;
        upstream.downAs = UpstreamException.Kind.TIMED_OUT;
        AltoError e = ((Reply.Error) get(MAP)).error();
        assertEquals(504, e.httpStatus());
        assertEquals("no valid copy of " + MAP + " (upstream timed out: no answer within 10000 ms)", e.message());
    }

    @Test
    void noFreeConnectionToTheUpstreamIsA503ThatARetryMayCure() throws Exception {
        upstream.down = true;
        upstream.downAs = UpstreamException.Kind.BUSY;
        AltoError e = ((Reply.Error) get(MAP)).error();
        assertEquals(503, e.httpStatus(), "the front end adds Retry-After to every 503");
        assertEquals("no valid copy of " + MAP + " (upstream connections all busy: all 8 connections stayed busy)",
                e.message());
    }

    @Test
    void aQueryResourceSignedForItsInputIsVerifiedAndCached() throws Exception {
        AltoResource res = AltoResource.forQuery("filtered", "/networkmap/default-network-map/filtered", new byte[] {1});
        upstream.docs.put("/networkmap/default-network-map/filtered",
                signer.sign(res, Bytes.utf8(BODY), false, T0, VALIDITY, 60));
        String type = "application/alto-networkmapfilter+json";
        Representation r = ok(post("/networkmap/default-network-map/filtered", type, "{\"pids\":[]}"));
        assertTrue(r.identity().signed());
        ok(post("/networkmap/default-network-map/filtered", type, "{\"pids\":[]}"));
        assertEquals(1, upstream.total());
    }
    @Test
    void anOfferedRepresentationIsServedWithoutAnUpstreamRequestAndHeardByListeners() throws Exception {
        List<String> heard = new ArrayList<>();
        feed.addChangeListener((target, r) -> heard.add(target + " " + r.identity().body().asUtf8()));
        Representation pushed = signer.sign(MAP, BODY, false, clock.instant(), VALIDITY, 60);
        assertTrue(feed.offer(Offers.of(signer, clock, MAP, pushed), "1.1 edge"));
        Variant served = ok(get(MAP)).identity();
        assertEquals(0, upstream.total());
        assertEquals(pushed.identity().body(), served.body());
        assertEquals(pushed.identity().header("signature"), served.header("signature"));
        assertEquals("1.1 edge", served.header("via").orElseThrow());
        assertEquals(List.of(MAP + " " + BODY), heard);
    }

    @Test
    void aListenerAddedAfterCopiesAreHeldHearsEachSignedOneAtOnceAndLaterOnesAsHeld() throws Exception {
        publish(MAP, BODY, false);
        ok(get(MAP));
        assertEquals(Set.of(MAP), feed.heldSignedTargets());
        List<String> heard = new ArrayList<>();
        feed.addChangeListener((target, r) -> heard.add(target + " " + r.identity().body().asUtf8()));
        assertEquals(List.of(MAP + " " + BODY), heard);
        clock.advance(Duration.ofSeconds(10));
        Representation next = signer.sign(MAP, "{\"new\":1}", false, clock.instant(), VALIDITY, 60);
        assertTrue(feed.offer(Offers.of(signer, clock, MAP, next), "1.1 edge"));
        assertEquals(List.of(MAP + " " + BODY, MAP + " {\"new\":1}"), heard);
    }

    @Test
    void anOfferOlderThanTheHeldCopyIsRefusedAndTheNewerStaysServed() throws Exception {
        Representation older = signer.sign(MAP, "{\"old\":1}", false, clock.instant(), VALIDITY, 60);
        clock.advance(Duration.ofSeconds(10));
        publish(MAP, BODY, false);
        ok(get(MAP));
        assertFalse(feed.offer(Offers.of(signer, clock, MAP, older), "1.1 edge"));
        assertEquals(BODY, ok(get(MAP)).identity().body().asUtf8());
    }

    @Test
    void anOfferedGzipVariantWhoseSignatureRunsOutFirstIsNotHeld() throws Exception {
        // verified where it came from (both signatures valid now), but the gzip variant's signing
        // is 50 minutes older than the identity's: served with it, it would outlive its signature.
        // A max-age of an hour keeps the copy fresh, so what is served below is what was offered.
        AltoResource res = AltoResource.of("doc", MAP);
        Representation fresh = signer.sign(res, Bytes.utf8(BODY), true, clock.instant(), VALIDITY, 3600);
        Representation early = signer.sign(res, Bytes.utf8(BODY), true, clock.instant().minus(Duration.ofMinutes(50)),
                VALIDITY, 3600);
        assertTrue(feed.offer(Offers.of(signer, clock, MAP, new Representation(fresh.identity(), early.gzip(), 3600, fresh.created(),
                fresh.expires())), "1.1 edge"));
        assertNull(feed.entry(CacheKey.get(MAP)).held().gzip(), "held as a pulled pair is: identity alone");
        clock.advance(Duration.ofMinutes(20)); // past the gzip signing's expiry
        Variant served = ok(get(MAP)).select(true);
        assertEquals(fresh.identity().body(), served.body());
        assertEquals(Outcome.VALID, new ResponseVerifier(List.of(signer.publicKey()), clock).verify(
                n -> served.header(n).orElse(null), served.body().unsafeArray(),
                ResponseVerifier.Expectation.path(MAP)).outcome());
        assertEquals(0, upstream.total(), "served from the copy offered");
    }

    @Test
    void anOfferedGzipVariantIsHeldWithItsOwnSigningsCreatedAndExpires() {
        AltoResource res = AltoResource.of("doc", MAP);
        Representation fresh = signer.sign(res, Bytes.utf8(BODY), true, clock.instant(), VALIDITY, 60);
        Representation later = signer.sign(res, Bytes.utf8(BODY), true, clock.instant().plusSeconds(10), VALIDITY, 60);
        assertTrue(feed.offer(Offers.of(signer, clock, MAP, new Representation(fresh.identity(), later.gzip(), 60, fresh.created(),
                fresh.expires())), "1.1 edge"));
        CachedCopy held = feed.entry(CacheKey.get(MAP)).held();
        assertEquals(later.gzip().etag(), held.gzip().etag());
        assertEquals(later.created(), held.gzip().created());
        assertEquals(later.expires(), held.gzip().expires());
        assertEquals(fresh.expires(), held.expires(), "the copy's validity is the identity's");
    }

    @Test
    void anExpiredOfferIsRefused() {
        VerifiedRepresentation pushed = Offers.of(signer, clock, MAP,
                signer.sign(MAP, BODY, false, clock.instant(), VALIDITY, 60)); // verified while valid
        clock.advance(VALIDITY);
        assertFalse(feed.offer(pushed, "1.1 edge"));
        assertNull(feed.entry(CacheKey.get(MAP)));
    }

    @Test
    void aCopyThatExpiresWhileItsAttemptRunsIsNeitherHeldNorServed() throws Exception {
        // the held identity is kept beside a new gzip variant when the identity request fails;
        // that request was slow, and the held identity expired meanwhile
        feed.close();
        java.util.concurrent.atomic.AtomicBoolean slowIdentity = new java.util.concurrent.atomic.AtomicBoolean();
        feed = feed(1 << 20, List.of(), r -> {
            boolean identity = r.headers().stream().noneMatch(h -> h.name().equalsIgnoreCase("accept-encoding")
                    && h.value().contains("gzip"));
            if (identity && slowIdentity.get()) {
                clock.advance(Duration.ofMinutes(2)); // the time the request took
                return CompletableFuture.failedFuture(new org.rproxy.core.upstream.UpstreamException("no answer within 10000 ms",
                        null, org.rproxy.core.upstream.UpstreamException.Kind.TIMED_OUT));
            }
            return upstream.send(r);
        });
        String big = BODY.replace("10.0.0.0/8", "10.0.0.0/8\",\"" + "11.0.0.0/8\",\"".repeat(80) + "12.0.0.0/8");
        upstream.docs.put(MAP, signer.sign(MAP, big, true, clock.instant(), Duration.ofMinutes(61), 60));
        Representation first = ok(get(MAP));
        assertTrue(first.gzip() != null, "a gzip variant too");
        // an hour on, the held copy has a minute left; the upstream has a new version
        clock.advance(Duration.ofMinutes(60));
        upstream.docs.put(MAP, signer.sign(MAP, big.replace("12.0.0.0/8", "13.0.0.0/8"), true, clock.instant(),
                Duration.ofHours(1), 60));
        slowIdentity.set(true);
        Reply r = get(MAP);
        assertTrue(r instanceof Reply.Error, "not the expired identity: " + r);
        assertEquals(504, ((Reply.Error) r).error().httpStatus());
    }
}
