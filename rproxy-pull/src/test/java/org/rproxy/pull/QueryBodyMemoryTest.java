package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * The answers to POST queries are held within {@code cache.max-bytes}, and so is what the feed
 * keeps beside them: not the query bodies, which the store does not weigh (a client choosing
 * large bodies with small answers would otherwise hold any amount of memory through them). A
 * held answer is revalidated with the body of the request that found it stale.
 */
class QueryBodyMemoryTest {
    static final String TARGET = "/endpointcost/lookup";
    static final String TYPE = "application/alto-endpointcostparams+json";
    static final long MAX_BYTES = 64 * 1024;

    final FeedFixture f = new FeedFixture(MAX_BYTES);

    @AfterEach
    void stop() {
        f.close();
    }

    Reply post(String target, String type, String body) throws Exception {
        CacheKey key = CacheKey.post(target, type, QueryDigest.of(type, Bytes.utf8(body)));
        return f.feed.serve(key, new UpstreamCall(type, Bytes.utf8(body))).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void largeQueryBodiesWithSmallHeldAnswersHoldNoMoreThanTheStoresBound() throws Exception {
        f.upstream.fixed = new UpstreamResponse(200, List.of(
                new HeaderField("content-type", "application/alto-endpointcost+json"),
                new HeaderField("cache-control", "max-age=60")), Bytes.utf8("{\"endpoint-cost-map\":{}}"));
        String dsts = "\"ipv4:192.0.2.1\",".repeat(1_000);
        List<CacheKey> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String body = "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},"
                    + "\"endpoints\":{\"srcs\":[\"ipv4:10.0.0." + i + "\"],\"dsts\":[" + dsts + "\"ipv4:192.0.2.2\"]}}";
            assertTrue(post(TARGET, TYPE, body) instanceof Reply.Ok);
            keys.add(CacheKey.post(TARGET, TYPE, QueryDigest.of(TYPE, Bytes.utf8(body))));
        }
        long bodies = 0;
        int held = 0;
        for (CacheKey k : keys) {
            Entry e = f.feed.entry(k);
            if (e != null) {
                bodies += e.call.body().length();
                held++;
            }
        }
        assertEquals(100, held, "every answer held: small");
        assertTrue(bodies <= MAX_BYTES, "query bodies kept beside " + held + " held answers: " + bodies
                + " bytes, past the store's bound of " + MAX_BYTES);
    }

    @Test
    void aHeldSignedAnswerIsRevalidatedWithTheBodyOfTheRequestThatFoundItStale() throws Exception {
        String target = "/networkmap/default-network-map/filtered";
        String type = "application/alto-networkmapfilter+json";
        AltoResource res = AltoResource.forQuery("filtered", target, new byte[] {1});
        f.upstream.docs.put(target, f.signer.sign(res, Bytes.utf8("{\"network-map\":{}}"), false, f.clock.instant(),
                Duration.ofHours(1), 60));
        assertTrue(post(target, type, "{\"pids\":[\"PID1\"]}") instanceof Reply.Ok);
        f.clock.advance(Duration.ofSeconds(58)); // hot, ahead of going stale: no refresh without a request's body
        f.feed.refreshNow().get(5, TimeUnit.SECONDS);
        f.clock.advance(Duration.ofSeconds(32)); // stale, within stale-while-revalidate
        assertTrue(post(target, type, "{ \"pids\" : [\"PID1\"] }") instanceof Reply.Ok);
        f.feed.quiet().get(5, TimeUnit.SECONDS);
        List<UpstreamRequest> sent = List.copyOf(f.upstream.log);
        for (UpstreamRequest r : sent) {
            assertEquals("POST", r.method());
            assertTrue(r.body().length() > 0, "every query sent upstream carries a body");
        }
        assertEquals("{ \"pids\" : [\"PID1\"] }", sent.get(sent.size() - 1).body().asUtf8(),
                "revalidated with the body of the request that found it stale");
    }
}
