package org.rproxy.pull;

import static org.rproxy.pull.FeedFixture.MAP;
import static org.rproxy.pull.FeedFixture.MAP_BODY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * A revalidation whose gzip request succeeds and whose identity request fails renews the gzip
 * variant beside the held identity of its signing, but it is a failure for when the upstream is
 * asked again: after the retry pause ({@link FeedFixture}: 5 s), not after {@code min-interval}
 * (1 s), as after any other failure.
 */
class HalfRevalidationTest {

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    Reply get() throws Exception {
        Reply r = f.get(MAP);
        f.feed.quiet().get(5, TimeUnit.SECONDS);
        return r;
    }

    @Test
    void aRevalidationWhoseIdentityRequestFailedIsRetriedAfterTheRetryPause() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, true, f.clock.instant(), Duration.ofHours(1), 60));
        assertTrue(get() instanceof Reply.Ok);
        assertEquals(2, f.upstream.total(), "gzip, then identity");
        // the gzip variant answered (304), the identity one 503
        f.upstream.tamper = r -> r.headers().stream().anyMatch(h -> h.name().equals("content-encoding")) ? r
                : new UpstreamResponse(503, List.of(), Bytes.empty());
        f.clock.advance(Duration.ofSeconds(61));
        assertTrue(get() instanceof Reply.Ok, "the held copy, stale");
        assertEquals(4, f.upstream.total(), "revalidated: gzip answered, identity failed");
        f.clock.advance(Duration.ofSeconds(1));
        assertTrue(get() instanceof Reply.Ok);
        assertEquals(4, f.upstream.total(), "1 s after: within the retry pause, not asked again");
        f.clock.advance(Duration.ofSeconds(1));
        get();
        assertEquals(6, f.upstream.total(), "asked again once the pause (2 s: the first failure in a row) has passed");
    }
}
