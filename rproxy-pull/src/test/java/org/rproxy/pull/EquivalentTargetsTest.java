package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * Equivalent request targets (absolute form, percent-encoded unreserved characters) are one
 * cache entry: fetched once, in normal form, and verified against the path the origin signed.
 */
class EquivalentTargetsTest {

    final FeedFixture fixture = new FeedFixture();
    final MutableClock clock = fixture.clock;
    final FakeUpstream upstream = fixture.upstream;
    final TestSigner signer = fixture.signer;
    PullService service;

    @BeforeEach
    void start() {
        service = fixture.service(null);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void publish(String target, String body) {
        upstream.docs.put(target, signer.sign(target, body, false, clock.instant(), Duration.ofHours(1), 60));
    }

    /** The variant served for a GET of {@code target}, as a request made inside the process. */
    private Variant get(String path, String target) throws Exception {
        Reply r = service.handle(new AltoRequest("GET", path, Map.of(), target, null, null, Bytes.empty()))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        return assertInstanceOf(Reply.Ok.class, r, target + ": " + r).representation().select(false);
    }

    private static void assertSame(Variant expected, Variant actual, String target) {
        assertEquals(expected.etag(), actual.etag(), target);
        assertEquals(expected.body(), actual.body(), target);
    }

    @Test
    void equivalentTargetsShareOneUpstreamFetch() throws Exception {
        publish("/networkmap/net", "{\"network-map\":{}}");
        Variant plain = get("/networkmap/net", "/networkmap/net");
        for (String same : List.of("/%6Eetworkmap/net", "/networkmap/%6e%65t", "http://upstream:8080/networkmap/net")) {
            assertSame(plain, get("/networkmap/net", same), same);
        }
        assertEquals(1, upstream.total(), "one fetch for all four: " + upstream.requests);
        assertEquals("/networkmap/net", upstream.log.get(0).target());
    }

    @Test
    void aQueryIsForwardedInNormalFormWithItsSeparatorsKept() throws Exception {
        publish("/cost/map?type=priv:x&a=b%26c", "<alto/>");
        Variant first = get("/cost/map", "/cost/map?%74ype=priv%3ax&a=b%26c");
        assertSame(first, get("/cost/map", "/cost/map?type=priv:x&a=b%26c"), "/cost/map?type=priv:x&a=b%26c");
        assertEquals(1, upstream.total(), "one fetch for both: " + upstream.requests);
        assertEquals("/cost/map?type=priv:x&a=b%26c", upstream.log.get(0).target());
    }
}
