package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/** The upstream's 404s for GETs are remembered for a short time, so made-up paths cost one request each. */
class NotFoundMemoryTest {
    private static final Duration PERIOD = Duration.ofSeconds(5);

    final FeedFixture fixture = new FeedFixture();
    final MutableClock clock = fixture.clock;
    final FakeUpstream upstream = fixture.upstream;
    final TestSigner signer = fixture.signer;
    final PullFeed feed = fixture.feed;
    PullService service;
    NotFoundMemory memory;
    final SimpleMeterRegistry registry = fixture.registry;

    @BeforeEach
    void start() {
        memory = NotFoundMemory.of(PERIOD, 3, clock);
        service = fixture.service(memory);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private Reply get(String target) throws Exception {
        return service.handle(new AltoRequest("GET", target, Map.of(), target, null, null, Bytes.empty()))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private Reply post(String target) throws Exception {
        return service.handle(new AltoRequest("POST", target, Map.of(), target, null, "application/alto-networkmapfilter+json",
                Bytes.utf8("{\"pids\":[]}"))).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static int status(Reply r) {
        return assertInstanceOf(Reply.Error.class, r).error().httpStatus();
    }

    /** A remembered 404 is answered from memory: a hit, as the metrics table of docs/operations.md says; the first was a miss. */
    @Test
    void aRememberedNotFoundCountsAsAHit() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(404, status(get("/nothing/here")));
        }
        assertEquals(1, upstream.total());
        assertEquals(1.0, registry.get("rproxy.cache.misses").counter().count());
        assertEquals(2.0, registry.get("rproxy.cache.hits").counter().count());
    }

    @Test
    void aBurstForOneMadeUpPathCostsOneUpstreamRequestPerPeriod() throws Exception {
        for (int i = 0; i < 50; i++) {
            Reply r = get("/nothing/here");
            assertEquals(404, status(r));
            assertEquals("uri", ((Reply.Error) r).error().field(), "the upstream's own error is passed on");
        }
        assertEquals(1, upstream.total());
        clock.advance(PERIOD.plusMillis(1));
        assertEquals(404, status(get("/nothing/here")));
        assertEquals(2, upstream.total(), "asked again once the period is over");
    }

    @Test
    void concurrentRequestsForOneMadeUpPathShareOneUpstreamRequest() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.gate = gate;
        List<CompletableFuture<Reply>> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(service.handle(new AltoRequest("GET", "/x", Map.of(), "/x", null, null, Bytes.empty()))
                    .toCompletableFuture());
        }
        gate.complete(null);
        for (CompletableFuture<Reply> w : waiting) {
            assertEquals(404, status(w.get(5, TimeUnit.SECONDS)));
        }
        assertEquals(404, status(get("/x")));
        assertEquals(1, upstream.total());
    }

    @Test
    void distinctMadeUpPathsCostOneRequestEachAndTheMemoryStaysBounded() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(404, status(get("/made-up/" + i)));
            }
        }
        assertEquals(3, upstream.total());
        for (int i = 3; i < 100; i++) {
            assertEquals(404, status(get("/made-up/" + i)));
        }
        assertEquals(100, upstream.total());
        assertEquals(3, memory.size(), "bounded in count");
    }

    @Test
    void aResourcePublishedMeanwhileIsServedOnceHeld() throws Exception {
        assertEquals(404, status(get("/networkmap/late")));
        feed.offer(Offers.of(signer, clock, "/networkmap/late", signer.sign("/networkmap/late", "{\"network-map\":{}}",
                false, clock.instant(), Duration.ofHours(1), 60)), "1.1 edge");
        assertInstanceOf(Reply.Ok.class, get("/networkmap/late"), "a held copy wins over a remembered 404");
    }

    @Test
    void aPostErrorIsNotRemembered() throws Exception {
        assertEquals(404, status(post("/no/such/filter")));
        assertEquals(404, status(post("/no/such/filter")));
        assertEquals(2, upstream.total());
    }

    @Test
    void anErrorOtherThan404IsNotRemembered() throws Exception {
        upstream.failStatus = 400;
        assertEquals(400, status(get("/cost/row?srcpid=%00")));
        assertEquals(400, status(get("/cost/row?srcpid=%00")));
        assertEquals(2, upstream.total());
    }

    @Test
    void aZeroPeriodRemembersNothing() {
        assertEquals(null, NotFoundMemory.of(Duration.ZERO, 10, clock));
    }
}
