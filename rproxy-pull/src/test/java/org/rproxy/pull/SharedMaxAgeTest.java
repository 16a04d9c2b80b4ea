package org.rproxy.pull;

import static org.rproxy.pull.FeedFixture.MAP;
import static org.rproxy.pull.FeedFixture.MAP_BODY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * The proxy is a shared cache: an upstream's {@code s-maxage} is its freshness lifetime over
 * {@code max-age} (RFC 9111 §5.2.2.10), for the copy it holds and for the {@code max-age} it
 * announces downstream (so no cache past it keeps the copy longer than the origin allows a shared
 * one), from a 200 and a 304 alike; and it carries {@code proxy-revalidate} for a shared cache
 * (§5.2.2.10), so a copy past it is revalidated before it is served, whatever stale window
 * stands beside it (§4.2.4).
 */
class SharedMaxAgeTest {

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    Reply.Ok get() throws Exception {
        return (Reply.Ok) f.get(MAP);
    }

    private static UnaryOperator<UpstreamResponse> cacheControl(int status, String value) {
        return r -> r.status() != status ? r : new UpstreamResponse(r.status(), r.headers().stream()
                .map(h -> h.name().equals("cache-control") ? new HeaderField("cache-control", value) : h).toList(),
                r.body());
    }

    @Test
    void sMaxageIsTheCopysLifetimeAndWhatGoesDownstream() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, true, f.clock.instant(), Duration.ofHours(1), 600));
        f.upstream.tamper = cacheControl(200, "max-age=600, s-maxage=60, stale-while-revalidate=60");
        Reply.Ok first = get();
        assertEquals(60, first.representation().maxAgeSeconds(), "announced downstream");
        CachedCopy held = f.feed.entry(CacheKey.get(MAP)).held();
        assertEquals(List.of(60L, 60L), List.of(held.identity().maxAgeSeconds(), held.gzip().maxAgeSeconds()));
        assertEquals(1, f.upstream.count(MAP, "identity"));
        f.clock.advance(Duration.ofSeconds(61));
        // past s-maxage, though within max-age and stale-while-revalidate: revalidated first
        assertNotEquals(CacheStatus.STALE, get().cache(), "not served stale past s-maxage");
        assertEquals(2, f.upstream.count(MAP, "identity"), "revalidated before it was served");
        f.feed.quiet().get(5, TimeUnit.SECONDS);
    }

    @Test
    void pastSMaxageWithTheUpstreamDownTheCopyIsNotServedWithinStaleIfError() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 600));
        f.upstream.tamper = cacheControl(200, "max-age=600, s-maxage=60, stale-while-revalidate=60, stale-if-error=600");
        get();
        f.upstream.down = true;
        f.clock.advance(Duration.ofSeconds(61));
        Reply r = f.get(MAP);
        assertTrue(r instanceof Reply.Error e && e.error().httpStatus() == 504, "504, not the stale copy: " + r);
    }

    @Test
    void a304sSMaxageSetsTheRenewedLifetime() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 60));
        assertTrue(get().representation().maxAgeSeconds() > 0);
        f.upstream.tamper = cacheControl(304, "max-age=600, s-maxage=30");
        f.clock.advance(Duration.ofSeconds(90));
        get();
        f.feed.quiet().get(5, TimeUnit.SECONDS);
        assertEquals(30, f.feed.entry(CacheKey.get(MAP)).held().identity().maxAgeSeconds());
    }

    @Test
    void anUnusableSMaxageLeavesNoFreshness() {
        assertEquals(0, HeaderRules.sharedMaxAge("max-age=600, s-maxage=x"));
        assertEquals(600, HeaderRules.sharedMaxAge("max-age=600"));
        assertEquals(0, HeaderRules.sharedMaxAge("S-MAXAGE=600, no-store"));
        assertEquals(20, HeaderRules.sharedMaxAge("s-maxage=\"20\", max-age=600"));
    }
}
