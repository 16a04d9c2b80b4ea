package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * Query answers computed from the maps the feed holds: no upstream request once the maps are
 * held, the named sources are the held versions, a burst of changes rebuilds once, and a query
 * whose maps are missing or of mismatched versions is forwarded.
 */
class CurrentAnswersTest {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    static final String DIRECTORY = """
            {"meta":{"cost-types":{"num-routingcost":{"cost-mode":"numerical","cost-metric":"routingcost"}},
             "default-alto-network-map":"net"},
             "resources":{"net":{"uri":"/networkmap/net","media-type":"application/alto-networkmap+json"},
             "cost":{"uri":"/costmap/cost","media-type":"application/alto-costmap+json",
              "capabilities":{"cost-type-names":["num-routingcost"]},"uses":["net"]},
             "endpoint-cost":{"uri":"/endpointcost","media-type":"application/alto-endpointcost+json",
              "accepts":"application/alto-endpointcostparams+json",
              "capabilities":{"cost-type-names":["num-routingcost"]}}}}""";
    /** The directory as origins before RFC 7285 §11.5.1.5 was followed wrote it: the ECS {@code uses} the network map. */
    static final String OLD_DIRECTORY = DIRECTORY.replace("""
            "capabilities":{"cost-type-names":["num-routingcost"]}}}}""", """
            "capabilities":{"cost-type-names":["num-routingcost"]},"uses":["net"]}}}""");
    /** An ECS on another network map than the default: this node cannot say what it computes. */
    static final String OTHER_DIRECTORY = DIRECTORY.replace("""
            "capabilities":{"cost-type-names":["num-routingcost"]}}}}""", """
            "capabilities":{"cost-type-names":["num-routingcost"]},"uses":["cost"]}}}""");
    static final String NETWORK_MAP = """
            {"meta":{"vtag":{"resource-id":"net","tag":"TAG"}},
             "network-map":{"PID1":{"ipv4":["10.0.0.0/8"]},"PID2":{"ipv4":["0.0.0.0/0"],"ipv6":["::/0"]}}}""";
    static final String COST_MAP = """
            {"meta":{"vtag":{"resource-id":"cost","tag":"c1"},"dependent-vtags":[{"resource-id":"net","tag":"v1"}],
             "cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"}},
             "cost-map":{"PID1":{"PID2":5},"PID2":{"PID1":7}}}""";

    final MutableClock clock = new MutableClock(T0);
    final FakeUpstream upstream = new FakeUpstream(clock);
    final TestSigner signer = new TestSigner();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Queue<Runnable> rebuilds = new ArrayDeque<>();
    /** Tasks CurrentAnswers asked to run later (a first fetch tried again), and after how long. */
    final Queue<Runnable> retries = new ArrayDeque<>();
    final List<Duration> delays = new ArrayList<>();
    ScheduledExecutorService scheduler;
    PullFeed feed;
    CurrentAnswers local;
    PullService service;

    @BeforeEach
    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(1 << 20);
        PullMetrics metrics = new PullMetrics(registry, store, clock);
        EntryFetch fetch = new EntryFetch(upstream, new Admission(new ResponseVerifier(List.of(signer.publicKey()), clock),
                "1.1 edge", clock), new Rejections(metrics), metrics, Runnable::run, "1.1 edge");
        feed = new PullFeed(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), List.of()), store, fetch, metrics, clock, scheduler);
        local = new CurrentAnswers(feed, rebuilds::add, clock, "1.1 edge", QueryLimits.DEFAULTS, (delay, task) -> {
            delays.add(delay);
            retries.add(task);
        }, () -> 0.0); // the backoff's jitter at its low end: half of each base wait
        feed.addChangeListener(local::changed);
        service = new PullService(feed, Runnable::run, Runnable::run, local, metrics);
    }

    @AfterEach
    void stop() {
        feed.close();
        scheduler.shutdownNow();
    }

    private Representation offer(String target, String body) {
        Representation r = signer.sign(target, body, false, clock.instant(), Duration.ofHours(1), 60);
        assertTrue(feed.offer(Offers.of(signer, clock, target, r), "1.1 edge"), target);
        return r;
    }

    /** The upstream serves the directory and both maps it lists. */
    private void publishAll() {
        upstream.docs.put("/costmap/cost", signer.sign("/costmap/cost", COST_MAP, false, clock.instant(), Duration.ofHours(1), 60));
        upstream.docs.put("/networkmap/net", signer.sign("/networkmap/net", NETWORK_MAP.replace("TAG", "v1"), false,
                clock.instant(), Duration.ofHours(1), 60));
        upstream.docs.put("/directory", signer.sign("/directory", DIRECTORY, false, clock.instant(), Duration.ofHours(1), 60));
    }

    private void offerAll() {
        offer("/directory", DIRECTORY);
        offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v1"));
        offer("/costmap/cost", COST_MAP);
        runRebuilds();
    }

    private void runRebuilds() {
        for (Runnable r = rebuilds.poll(); r != null; r = rebuilds.poll()) {
            r.run();
        }
    }

    private Reply query(String src) {
        String body = "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},"
                + "\"endpoints\":{\"srcs\":[\"" + src + "\"],\"dsts\":[\"ipv4:10.1.1.1\",\"ipv4:192.0.2.1\"]}}";
        return service.handle(new AltoRequest("POST", "/endpointcost", Map.of(), "/endpointcost",
                "application/alto-endpointcostparams+json", null, Bytes.utf8(body))).toCompletableFuture().join();
    }

    /** Query requests the upstream saw (document fetches apart: the proxy fetches the maps it answers from). */
    private int queriesSentUpstream() {
        return upstream.count("/endpointcost", "identity") + upstream.count("/endpointcost", "gzip");
    }

    private double queries(String answered) {
        return registry.find("rproxy.queries").tag("answered", answered).counter().count();
    }

    @Test
    void aQueryFindingTheQueryThreadsFullIsShedWith503NotQueuedNorForwarded() {
        offerAll();
        service = new PullService(feed, Runnable::run, task -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        }, local, new PullMetrics(registry, RepresentationStore.boundedBy(1), clock));
        Reply r = query("ipv4:10.0.0.1");
        Reply.Error e = assertInstanceOf(Reply.Error.class, r);
        assertEquals(503, e.error().httpStatus());
        assertTrue(e.error().message().contains("too many queries"), e.error().message());
        assertEquals(0, queriesSentUpstream());
    }

    @Test
    void distinctQueriesAreComputedFromTheHeldMapsWithoutAnUpstreamRequest() {
        offerAll();
        for (int i = 1; i <= 50; i++) {
            Reply r = query("ipv4:10.0.0." + i);
            assertTrue(r instanceof Reply.Ok, r::toString);
            String body = ((Reply.Ok) r).representation().identity().body().asUtf8();
            assertTrue(body.contains("\"ipv4:10.0.0." + i + "\":{\"ipv4:192.0.2.1\":5}"), body);
        }
        assertEquals(0, queriesSentUpstream());
        assertEquals(50.0, queries("local"));
        assertEquals(0.0, queries("upstream"));
    }

    @Test
    void aComputedAnswerIsUnsignedAndNamesTheHeldVersions() {
        offerAll();
        Representation r = ((Reply.Ok) query("ipv4:10.0.0.1")).representation();
        assertTrue(r.identity().header("signature").isEmpty());
        assertEquals("1.1 edge", r.identity().header("via").orElseThrow());
        String net = feed.heldSigned("/networkmap/net").identity().etag().replace("\"", "");
        String cost = feed.heldSigned("/costmap/cost").identity().etag().replace("\"", "");
        assertEquals("\"net\";path=\"/networkmap/net\";etag=\"" + net + "\", \"cost\";path=\"/costmap/cost\";etag=\""
                + cost + '"', r.identity().header("alto-derived-from").orElseThrow());
    }

    /**
     * Interop: an origin of an earlier version lists its ECS with {@code "uses":["net"]}; a proxy
     * of this version answers it here as before. One with any other {@code uses} is forwarded.
     */
    @ParameterizedTest
    @CsvSource({"OLD, 0", "OTHER, 1"})
    void anEndpointCostServiceUsingTheDefaultNetworkMapAsOlderOriginsListItIsAnsweredHere(String which, int forwarded) {
        String directory = which.equals("OLD") ? OLD_DIRECTORY : OTHER_DIRECTORY;
        assertTrue(directory.contains("\"uses\":[\"" + (which.equals("OLD") ? "net" : "cost") + "\"]}}}"), directory);
        publishAll();
        upstream.docs.put("/directory", signer.sign("/directory", directory, false, clock.instant(), Duration.ofHours(1), 60));
        offer("/directory", directory);
        offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v1"));
        offer("/costmap/cost", COST_MAP);
        runRebuilds();
        query("ipv4:10.0.0.1");
        assertEquals(forwarded, queriesSentUpstream());
    }

    @Test
    void aComputedAnswerIsAsOldAsTheOldestHeldMapItCameFrom() {
        offer("/directory", DIRECTORY);
        offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v1"));
        clock.advance(Duration.ofSeconds(10));
        offer("/costmap/cost", COST_MAP); // held 10 s after the network map
        runRebuilds();
        clock.advance(Duration.ofSeconds(25));
        Representation r = ((Reply.Ok) query("ipv4:10.0.0.1")).representation();
        assertEquals("35", r.identity().header("age").orElse(null), "the network map's age: " + r.identity().headers());
        assertEquals(60, r.maxAgeAt(clock.instant()), "the maps' max-age, counted from the Age sent");
    }

    /**
     * A map whose upstream said {@code must-revalidate} may not be used stale without a successful
     * validation (RFC 9111 §5.2.2.2), by this proxy or by a cache past it: an answer computed from
     * it says so downstream, and once the map is stale and its revalidation failed the query gets
     * 504 as a request for the map does, not an answer computed from it all the same. Without the
     * directive, the answer comes from the maps held while they are valid (an outage costs no
     * error). Before, the answer was computed from the stale map and went out with stale windows.
     */
    @ParameterizedTest
    @CsvSource({"'', 200", "must-revalidate, 504", "proxy-revalidate, 504"})
    void aMapThatMustBeRevalidatedIsNotAnsweredFromStaleWhenItsRevalidationFailed(String directive, int status) {
        publishAll();
        if (!directive.isEmpty()) {
            upstream.tamper = r -> new org.rproxy.core.upstream.UpstreamResponse(r.status(), r.headers().stream()
                    .map(h -> h.name().equals("cache-control") && r.status() != 404
                            ? new org.rproxy.core.store.HeaderField("cache-control", h.value() + ", " + directive) : h)
                    .toList(), r.body());
        }
        local.start();
        runRebuilds();
        Representation fresh = ((Reply.Ok) query("ipv4:10.0.0.1")).representation();
        assertEquals(directive.isEmpty() ? Representation.Revalidation.NONE : Representation.Revalidation.valueOf(
                directive.equals("must-revalidate") ? "EVERY_CACHE" : "SHARED_CACHES"), fresh.revalidation(),
                "what caches past this proxy are told of the answer");
        upstream.down = true;
        clock.advance(Duration.ofSeconds(61)); // past the maps' max-age (60), within their stale windows
        Reply r = query("ipv4:10.0.0.2");
        if (status == 200) {
            assertInstanceOf(Reply.Ok.class, r, "computed from the maps held while they are valid");
        } else {
            Reply.Error e = assertInstanceOf(Reply.Error.class, r, "not computed from a stale map: " + r);
            assertEquals(504, e.error().httpStatus());
            assertTrue(e.error().message().contains(directive), e.error().message());
        }
        assertEquals(0, queriesSentUpstream());
    }

    @Test
    void aBurstOfChangesRebuildsOnce() {
        offer("/directory", DIRECTORY);
        offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v1"));
        offer("/costmap/cost", COST_MAP);
        assertEquals(1, rebuilds.size());
        runRebuilds();
        assertEquals(1, local.builds());
        offer("/capability", "<alto/>");
        assertTrue(rebuilds.isEmpty(), "a document no answer reads does not rebuild");
    }

    /**
     * One waiting for the set to take in the changes told so far (an answer whose source maps
     * were just revalidated) gets it from the first set built after reading them, though more
     * changes arrive during every build. Before, it waited until the rebuilds stopped altogether:
     * while the maps kept changing faster than a rebuild took, its client got no answer at all.
     */
    @Test
    void oneWaitingForTheChangesToldSoFarIsNotHeldUpByChangesToldAfter() {
        offerAll();
        clock.advance(Duration.ofSeconds(1));
        offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v2"));
        java.util.concurrent.CompletableFuture<org.rproxy.core.answer.AnswerEngine> settled = local.settled();
        assertFalse(settled.isDone(), "the change told is not read yet");
        List<Boolean> doneAtEachBuild = new ArrayList<>();
        local.addRebuiltListener(() -> {
            doneAtEachBuild.add(settled.isDone());
            if (doneAtEachBuild.size() < 4) { // the maps change again while the set is being read
                clock.advance(Duration.ofSeconds(1));
                offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v" + (doneAtEachBuild.size() + 2)));
            }
        });
        runRebuilds();
        assertEquals(List.of(true, true, true, true), doneAtEachBuild,
                "whether the one waiting had its set when each of four builds in a row was swapped in");
        assertEquals("v2", settled.join().maps().networkMaps().get("net").vtag().tag(),
                "the set it got has read the change told before it asked");
    }

    @Test
    void aQueryIsForwardedWhileAMapItNeedsIsMissing() {
        offer("/directory", DIRECTORY);
        offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v1"));
        runRebuilds();
        query("ipv4:10.0.0.1");
        assertEquals(1, upstream.count("/endpointcost", "identity"));
        assertEquals(1.0, queries("upstream"));
        assertEquals(0.0, queries("local"));
    }

    @Test
    void notReadyUntilTheDirectoryAndEveryMapItListsAreHeldAndRead() {
        publishAll();
        assertEquals("local answers: starting", local.notReadyBecause());
        local.start();
        assertEquals("local answers: reading the directory", local.notReadyBecause());
        runRebuilds();
        assertNull(local.notReadyBecause());
        assertTrue(feed.heldSigned("/costmap/cost") != null, "ready means the maps are held");
    }

    @Test
    void aListedMapWhoseFirstFetchGotNoAnswerKeepsTheProxyUnreadyAndIsTriedAgainWithBackoff() {
        publishAll();
        local.start();
        upstream.down = true; // the directory came; the maps it lists get no answer
        runRebuilds();
        String why = local.notReadyBecause();
        assertTrue(why != null && why.startsWith("local answers: fetching /"), why);
        assertEquals(4, why.substring("local answers: fetching ".length()).split("; ").length,
                "every map still fetched is named: " + why);
        // each map listed (both JSON maps and their XML renderings) once, after 1 s (jitter: half of it)
        assertEquals(Collections.nCopies(4, Duration.ofMillis(500)), delays);
        runRetries();
        assertEquals(Collections.nCopies(4, Duration.ofSeconds(1)), delays.subList(4, delays.size()), "backing off");
        assertTrue(local.notReadyBecause() != null, "still nothing held");
        upstream.down = false;
        runRetries();
        runRebuilds();
        assertNull(local.notReadyBecause());
        assertTrue(feed.heldSigned("/costmap/cost") != null && feed.heldSigned("/networkmap/net") != null);
        assertTrue(retries.isEmpty(), "held: not tried again");
    }

    @Test
    void aProbeBetweenTheDirectoryBeingHeldAndItsReadingIsNotToldReady() {
        // A probe that ran in that moment used to find no listed map missing, and the proxy
        // stayed ready for good with none of them held (a stream then got the cost map first).
        CurrentAnswers probed = new CurrentAnswers(feed, rebuilds::add, clock, "1.1 edge", QueryLimits.DEFAULTS,
                (delay, task) -> retries.add(task), () -> 0.0);
        List<String> probes = new ArrayList<>();
        feed.addChangeListener((target, r) -> probes.add(target + ": " + probed.notReadyBecause()));
        feed.addChangeListener(probed::changed);
        publishAll();
        probed.start();
        assertEquals("/directory: local answers: reading the directory", probes.get(0));
        assertTrue(probed.notReadyBecause() != null);
        runRebuilds();
        assertNull(probed.notReadyBecause());
        assertTrue(feed.heldSigned("/costmap/cost") != null && feed.heldSigned("/networkmap/net") != null);
    }

    @Test
    void aPrefetchedDirectoryTheRefresherHasNotFetchedYetKeepsTheAnswersUnready() {
        // As in service: the feed always prefetches the directory, so it is tracked before the
        // answers start, and its first fetch is the refresher's. A probe before that pass used
        // to find nothing being fetched, and the answers stayed ready for good with no map held
        // (PlainSubscriberIT: a stream at a ready proxy got the directory alone).
        prefetchingTheDirectory();
        publishAll();
        local.start();
        assertEquals("local answers: fetching the directory", local.notReadyBecause());
        assertEquals("local answers: fetching the directory", local.notReadyBecause(), "not ready for good");
        assertEquals(List.of(Duration.ofMillis(500)), delays, "looked at again");
        runRetries();
        assertEquals("local answers: fetching the directory", local.notReadyBecause());
        feed.refreshNow().join(); // the refresher's pass: the directory
        runRebuilds();            // read; the maps it lists are fetched
        runRebuilds();
        assertNull(local.notReadyBecause());
        assertTrue(feed.heldSigned("/costmap/cost") != null && feed.heldSigned("/networkmap/net") != null);
        runRetries();
        assertTrue(retries.isEmpty(), "held: no longer looked at");
    }

    @Test
    void aDirectoryWhoseFirstFetchGotNoAnswerKeepsTheProxyUnreadyAndIsTriedAgain() {
        publishAll();
        upstream.down = true;
        local.start();
        runRebuilds();
        assertEquals("local answers: fetching the directory", local.notReadyBecause());
        assertEquals(List.of(Duration.ofMillis(500)), delays);
        upstream.down = false;
        runRetries();
        runRebuilds();
        assertNull(local.notReadyBecause());
        assertTrue(feed.heldSigned("/costmap/cost") != null && feed.heldSigned("/networkmap/net") != null);
    }

    /** Starts again with a feed that prefetches the directory, as the proxy's always does. */
    private void prefetchingTheDirectory() {
        feed.close();
        RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(1 << 20);
        PullMetrics metrics = new PullMetrics(registry, store, clock);
        feed = new PullFeed(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), List.of("/directory")), store,
                new EntryFetch(upstream, new Admission(new ResponseVerifier(List.of(signer.publicKey()), clock),
                        "1.1 edge", clock), new Rejections(metrics), metrics, Runnable::run, "1.1 edge"),
                metrics, clock, scheduler);
        local = new CurrentAnswers(feed, rebuilds::add, clock, "1.1 edge", QueryLimits.DEFAULTS, (delay, task) -> {
            delays.add(delay);
            retries.add(task);
        }, () -> 0.0);
        feed.addChangeListener(local::changed);
    }

    private void runRetries() {
        List<Runnable> due = new ArrayList<>(retries);
        retries.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void anUpstreamThatAnswersItCannotServeAMapDoesNotKeepTheProxyUnready() {
        upstream.docs.put("/directory", signer.sign("/directory", DIRECTORY, false, clock.instant(), Duration.ofHours(1), 60));
        local.start();
        runRebuilds(); // the maps are not there: 404, an answer
        assertNull(local.notReadyBecause(), "queries are forwarded instead");
        assertTrue(retries.isEmpty());
    }

    @Test
    void anUpstreamWithoutADirectoryDoesNotKeepTheProxyUnready() {
        local.start();
        runRebuilds();
        assertNull(local.notReadyBecause(), "queries are forwarded instead");
        assertEquals(1, upstream.count("/directory", "gzip"));
    }

    @Test
    void anUpstreamWithoutADirectoryDoesNotKeepTheProxyUnreadyThoughTheDirectoryIsPrefetched() {
        // as in service, where the feed always prefetches the directory: its 404 settles it
        prefetchingTheDirectory();
        local.start();
        assertEquals("local answers: fetching the directory", local.notReadyBecause());
        feed.refreshNow().join(); // the refresher's pass: 404
        runRetries();
        runRebuilds();
        assertNull(local.notReadyBecause(), "queries are forwarded instead");
        assertNull(feed.notReadyBecause());
        assertEquals(1, upstream.count("/directory", "gzip"));
        runRetries();
        assertTrue(retries.isEmpty(), "answered: no longer looked at");
    }

    @Test
    void everyMapTheDirectoryListsIsFetchedSoEvenTheFirstQueryIsAnsweredHere() {
        // the cost map no client asked for: the proxy fetches it itself
        publishAll();
        local.start();
        runRebuilds();
        assertEquals(1, upstream.count("/directory", "gzip"), upstream.requests.keySet().toString());
        assertEquals(1, upstream.count("/networkmap/net", "gzip"), upstream.requests.keySet().toString());
        assertEquals(1, upstream.count("/costmap/cost", "gzip"), upstream.requests.keySet().toString());
        assertTrue(query("ipv4:10.0.0.2") instanceof Reply.Ok);
        assertEquals(1.0, queries("local"));
        assertEquals(0.0, queries("upstream"));
        assertEquals(0, queriesSentUpstream(), "no query went upstream");
    }

    @Test
    void aCostMapOnAnotherVersionOfTheNetworkMapIsNotCombinedWithIt() {
        offerAll();
        clock.advance(Duration.ofSeconds(1));
        offer("/networkmap/net", NETWORK_MAP.replace("TAG", "v2"));
        runRebuilds();
        query("ipv4:10.0.0.1");
        assertEquals(1, queriesSentUpstream());
        assertFalse(local.current().routes(new AltoRequest("GET", "/cost/row", Map.of("srcpid", List.of("PID1")),
                "/cost/row?srcpid=PID1", null, null, Bytes.empty())));
    }

    @Test
    void withoutLocalAnswersEveryQueryIsForwarded() {
        offerAll();
        service = new PullService(feed, Runnable::run, Runnable::run, null, new PullMetrics(registry, RepresentationStore.boundedBy(1), clock));
        query("ipv4:10.0.0.1");
        assertEquals(1, queriesSentUpstream());
        assertEquals(1.0, queries("upstream"));
    }

    @Test
    void aSignedDocumentIsNeverComputed() {
        offerAll();
        assertNull(local.answer(local.current(), new AltoRequest("GET", "/networkmap/net", Map.of(), "/networkmap/net",
                null, null, Bytes.empty())));
    }
}
