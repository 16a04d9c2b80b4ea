package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.pull.FeedFixture.MAP;
import static org.rproxy.pull.FeedFixture.MAP_BODY;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * An unsigned answer that arrives already stale ({@code Age} at or past its {@code max-age}: a
 * parent proxy serving a computed answer stale in an outage, a cache in between) is served to
 * the requests that waited for it, and to those that follow within {@code refresh.min-interval}
 * ({@link FeedFixture}: 1 s) of its attempt, as a signed copy the upstream confirmed moments ago
 * is: the upstream is asked about it once per {@code min-interval}, not once per request.
 */
class StaleOnArrivalTest {
    private static final String ROW = "/cost/row?srcpid=PID1";
    private static final String QUERY = "/endpointprop/lookup";
    private static final String QUERY_TYPE = "application/alto-endpointpropparams+json";

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    /** Unsigned answers go out {@code age} seconds old, as a cache in between would send them. */
    private void unsignedAgedBy(long age) {
        f.upstream.tamper = r -> {
            if (r.status() != 200 || r.headers().stream().anyMatch(h -> h.name().equals("signature"))) {
                return r;
            }
            List<HeaderField> h = new ArrayList<>(r.headers());
            h.add(new HeaderField("age", Long.toString(age)));
            return new UpstreamResponse(r.status(), h, r.body());
        };
    }

    private int asked(String target) {
        return f.upstream.count(target, "gzip") + f.upstream.count(target, "identity");
    }

    @Test
    void aComputedAnswerStaleOnArrivalCostsOneUpstreamRequestPerMinInterval() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 600));
        String etag = ((Reply.Ok) f.get(MAP)).representation().identity().etag().replace("\"", "");
        Variant v = new Variant(Bytes.utf8("<alto/>"), null, List.of(new HeaderField("content-type", "application/xml"),
                new HeaderField("alto-derived-from", "\"default-network-map\";path=\"" + MAP + "\";etag=\"" + etag + "\"")));
        f.upstream.docs.put(ROW, new Representation(v, null, 30, f.clock.instant(), f.clock.instant().plus(Duration.ofHours(1))));
        unsignedAgedBy(45);
        for (int i = 0; i < 20; i++) {
            Reply r = f.get(ROW);
            assertTrue(r instanceof Reply.Ok, "the answer, stale as it came: " + r);
            assertTrue(Long.parseLong(((Reply.Ok) r).representation().identity().header("age").orElseThrow()) >= 45);
        }
        f.feed.quiet().get(5, TimeUnit.SECONDS);
        int once = asked(ROW);
        assertTrue(once <= 2, "one attempt (gzip, then identity at most), not one per request: " + once);
        f.clock.advance(Duration.ofSeconds(1));
        assertTrue(f.get(ROW) instanceof Reply.Ok);
        f.feed.quiet().get(5, TimeUnit.SECONDS);
        assertTrue(asked(ROW) > once, "asked again once min-interval has passed");
    }

    @Test
    void aQueryAnswerStaleOnArrivalCostsOneUpstreamRequestPerMinInterval() throws Exception {
        Variant v = new Variant(Bytes.utf8("{\"endpoint-properties\":{}}"), null,
                List.of(new HeaderField("content-type", "application/alto-endpointprop+json")));
        f.upstream.docs.put(QUERY, new Representation(v, null, 30, f.clock.instant(), f.clock.instant().plus(Duration.ofHours(1))));
        unsignedAgedBy(30);
        String body = "{\"properties\":[\"p\"],\"endpoints\":[\"ipv4:192.0.2.1\"]}";
        CacheKey key = CacheKey.post(QUERY, QUERY_TYPE, QueryDigest.of(QUERY_TYPE, Bytes.utf8(body)));
        for (int i = 0; i < 20; i++) {
            Reply r = f.feed.serve(key, new UpstreamCall(QUERY_TYPE, Bytes.utf8(body))).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertTrue(r instanceof Reply.Ok, "the answer, stale as it came: " + r);
        }
        assertEquals(1, asked(QUERY), "one upstream request, not one per request");
    }
}
