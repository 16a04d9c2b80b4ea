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
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * A {@code 304} renews the copy it names with the freshness the stored response had, unless it
 * says otherwise (RFC 9111 §4.3.4: fields the 304 leaves out stay as stored).
 */
class NotModifiedFreshnessTest {

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    Reply get() throws Exception {
        return f.get(MAP);
    }

    @Test
    void a304WithoutCacheControlRenewsTheCopyForTheMaxAgeItWasStoredWith() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, true, f.clock.instant(), Duration.ofHours(1), 60));
        assertTrue(get() instanceof Reply.Ok);
        // an upstream (a cache in between) whose 304 carries the validators and signature only
        f.upstream.tamper = r -> r.status() != 304 ? r : new UpstreamResponse(304,
                r.headers().stream().filter(h -> !h.name().equals("cache-control")).toList(), r.body());
        f.clock.advance(Duration.ofSeconds(90)); // stale, within stale-while-revalidate: revalidated behind
        assertEquals(CacheStatus.STALE, ((Reply.Ok) get()).cache());
        f.feed.quiet().get(5, TimeUnit.SECONDS);

        CachedCopy renewed = f.feed.entry(CacheKey.get(MAP)).held();
        assertEquals(f.clock.instant(), renewed.identity().fetchedAt(), "renewed by the 304");
        assertEquals(60, renewed.identity().maxAgeSeconds());
        assertEquals(60, renewed.gzip().maxAgeSeconds());
        assertEquals(List.of(60L, 60L), List.of(renewed.identity().staleWhileRevalidateSeconds(),
                renewed.base().maxAgeSeconds()));
        assertTrue(renewed.identity().staleIfErrorSeconds() > 0, "its stale-if-error kept too");
        f.clock.advance(Duration.ofSeconds(1));
        Reply.Ok again = (Reply.Ok) get();
        assertEquals(CacheStatus.HIT, again.cache(), "fresh again for its max-age");
        assertEquals(60, again.representation().maxAgeSeconds());
    }

    @Test
    void a304WithItsOwnCacheControlSetsTheFreshnessItSays() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 60));
        assertTrue(get() instanceof Reply.Ok);
        f.upstream.tamper = r -> r.status() != 304 ? r : new UpstreamResponse(304, withCacheControl(r.headers(),
                "max-age=30"), r.body());
        f.clock.advance(Duration.ofSeconds(90));
        get();
        f.feed.quiet().get(5, TimeUnit.SECONDS);
        CachedCopy renewed = f.feed.entry(CacheKey.get(MAP)).held();
        assertEquals(f.clock.instant(), renewed.identity().fetchedAt());
        assertEquals(30, renewed.identity().maxAgeSeconds());
        assertEquals(0, renewed.identity().staleWhileRevalidateSeconds(), "as the 304 says: none");
    }

    private static List<HeaderField> withCacheControl(List<HeaderField> fields, String value) {
        List<HeaderField> out = new java.util.ArrayList<>(fields.stream()
                .filter(h -> !h.name().equals("cache-control")).toList());
        out.add(new HeaderField("cache-control", value));
        return out;
    }
}
