package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * A HEAD the proxy passes upstream goes as a GET (one cache key for both), so the upstream's 405
 * names GET; the client sent HEAD, and is told so, as the origin asked directly tells it.
 */
class HeadRefusalTest {
    final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
    final FakeUpstream upstream = new FakeUpstream(clock);
    final TestSigner signer = new TestSigner();
    ScheduledExecutorService scheduler;
    PullFeed feed;
    PullService service;

    @BeforeEach
    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(1 << 20);
        PullMetrics metrics = new PullMetrics(new SimpleMeterRegistry(), store, clock);
        EntryFetch fetch = new EntryFetch(upstream, new Admission(new ResponseVerifier(List.of(signer.publicKey()), clock),
                "1.1 edge", clock), new Rejections(metrics), metrics, Runnable::run, "1.1 edge");
        feed = new PullFeed(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofHours(1), List.of()), store, fetch, metrics, clock, scheduler);
        service = new PullService(feed, Runnable::run, Runnable::run, null, metrics);
        upstream.fixed = new UpstreamResponse(405, List.of(new HeaderField("content-type", "application/alto-error+json"),
                new HeaderField("allow", "POST")), Bytes.utf8("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\","
                + "\"field\":\"method\",\"value\":\"GET\",\"message\":\"method: /endpointcost accepts POST only\"}}"));
    }

    @AfterEach
    void stop() {
        feed.close();
        scheduler.shutdownNow();
    }

    private AltoError refused(String method) throws Exception {
        Reply r = service.handle(new AltoRequest(method, "/endpointcost", Map.of(), "/endpointcost", null, null,
                Bytes.empty())).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Reply.Error e = assertInstanceOf(Reply.Error.class, r);
        assertEquals("POST", e.allow());
        return e.error();
    }

    @Test
    void aHeadRefusedUpstreamNamesHeadAsTheMethodAtFault() throws Exception {
        AltoError head = refused("HEAD");
        assertEquals(405, head.httpStatus());
        assertEquals("method", head.field());
        assertEquals("HEAD", head.value());
        assertEquals("GET", refused("GET").value(), "a GET's refusal is passed on as it came");
    }
}
