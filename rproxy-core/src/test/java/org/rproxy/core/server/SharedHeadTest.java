package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.List;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;

import org.junit.jupiter.api.Test;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;

/**
 * The head of a 200 is made once a second per variant and shared by that second's responses; a
 * response that needs a field of its own ({@code connection}) gets a copy, and the shared head
 * never shows it; the instant a second starts, whose freshness differs, is not shared.
 */
class SharedHeadTest {
    private final MutableClock clock = new MutableClock(EmbeddedFrontEnd.NOW.plusMillis(500));
    private final ResponseRenderer renderer = new ResponseRenderer(clock);
    private final Representation map = Fixtures.withGzip();

    private HttpHeaders render(RequestHead head, Representation r, String connection) {
        FullHttpResponse response = (FullHttpResponse) renderer.render(head, Reply.ok(r), List.of(), null,
                connection == null ? null : HttpHeaderValues.CLOSE);
        try {
            assertEquals(200, response.status().code());
            return response.headers();
        } finally {
            ReferenceCountUtil.release(response);
        }
    }

    private static RequestHead get(boolean gzip) {
        return new RequestHead("GET", "/networkmap", true, false, gzip, null, 0);
    }

    @Test
    void oneSecondsResponsesShareTheHeadOfTheirVariant() {
        HttpHeaders first = render(get(false), map, null);
        clock.advance(Duration.ofMillis(300));
        assertSame(first, render(get(false), map, null));
        HttpHeaders gzip = render(get(true), map, null);
        assertNotSame(first, gzip);
        assertEquals("gzip", gzip.get(HttpHeaderNames.CONTENT_ENCODING));
        assertEquals("max-age=300, no-transform, stale-while-revalidate=300, stale-if-error=3298",
                first.get(HttpHeaderNames.CACHE_CONTROL));

        clock.advance(Duration.ofMillis(400)); // the next second
        HttpHeaders next = render(get(false), map, null);
        assertNotSame(first, next);
        assertEquals("max-age=300, no-transform, stale-while-revalidate=300, stale-if-error=3297",
                next.get(HttpHeaderNames.CACHE_CONTROL));
        assertFalse(next.get(HttpHeaderNames.DATE).equals(first.get(HttpHeaderNames.DATE)));
    }

    @Test
    void aConnectionFieldGoesOnACopyNeverOnTheSharedHead() {
        HttpHeaders shared = render(get(false), map, null);
        HttpHeaders closing = render(get(false), map, "close");
        assertNotSame(shared, closing);
        assertEquals("close", closing.get(HttpHeaderNames.CONNECTION));
        assertFalse(shared.contains(HttpHeaderNames.CONNECTION));
        assertSame(shared, render(get(false), map, null));
    }

    @Test
    void anotherRepresentationOfTheSameVariantGetsItsOwnHead() {
        HttpHeaders first = render(get(false), map, null);
        Representation later = new Representation(map.identity(), map.gzip(), 60, map.created(), map.expires());
        HttpHeaders other = render(get(false), later, null);
        assertNotSame(first, other);
        assertEquals("max-age=60, no-transform, stale-while-revalidate=60, stale-if-error=3538",
                other.get(HttpHeaderNames.CACHE_CONTROL));
    }

    @Test
    void theInstantASecondStartsIsNotShared() {
        clock.advance(Duration.ofMillis(500)); // exactly the next second
        HttpHeaders a = render(get(false), map, null);
        assertNotSame(a, render(get(false), map, null));
    }
}
