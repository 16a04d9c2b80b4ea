package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.pull.FeedFixture.MAP;
import static org.rproxy.pull.FeedFixture.MAP_BODY;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * {@code must-revalidate} (RFC 9111 §5.2.2.2) and, for this proxy, a shared cache,
 * {@code proxy-revalidate} (§5.2.2.8): once stale, a copy is not served before a revalidation,
 * though its response grants {@code stale-while-revalidate} and {@code stale-if-error} windows
 * (the prohibition outweighs them, §4.2.4), and with the upstream down the client gets 504.
 */
class MustRevalidateTest {

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    /** The upstream's Cache-Control (max-age 60 and both stale windows) with {@code directive} added. */
    private static UnaryOperator<UpstreamResponse> adding(String directive) {
        return r -> new UpstreamResponse(r.status(), r.headers().stream()
                .map(h -> h.name().equals("cache-control") ? new HeaderField("cache-control", h.value() + ", " + directive)
                        : h).toList(), r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"must-revalidate", "proxy-revalidate"})
    void aStaleCopyIsRevalidatedBeforeItIsServedWithinStaleWhileRevalidate(String directive) throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 60));
        f.upstream.tamper = adding(directive);
        assertTrue(f.get(MAP) instanceof Reply.Ok);
        f.clock.advance(Duration.ofSeconds(61)); // stale, within stale-while-revalidate (60)
        Reply.Ok again = (Reply.Ok) f.get(MAP);
        assertNotEquals(CacheStatus.STALE, again.cache(), "not served stale");
        assertEquals(2, f.upstream.total(), "revalidated first");
    }

    @ParameterizedTest
    @ValueSource(strings = {"must-revalidate", "proxy-revalidate"})
    void withTheUpstreamDownAStaleCopyIs504NotServedWithinStaleIfError(String directive) throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 60));
        f.upstream.tamper = adding(directive);
        assertTrue(f.get(MAP) instanceof Reply.Ok);
        f.upstream.down = true;
        f.clock.advance(Duration.ofSeconds(61));
        Reply r = f.get(MAP);
        assertTrue(r instanceof Reply.Error, "no stale copy: " + r);
        assertEquals(504, ((Reply.Error) r).error().httpStatus());
        f.clock.advance(Duration.ofSeconds(120)); // past stale-while-revalidate too, within stale-if-error
        Reply later = f.get(MAP);
        assertTrue(later instanceof Reply.Error, "nor later: " + later);
    }

    @ParameterizedTest
    @ValueSource(strings = {"must-revalidate", "proxy-revalidate"})
    void aStaleComputedAnswerIsNotServedInAnOutage(String directive) throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 600));
        String etag = ((Reply.Ok) f.get(MAP)).representation().identity().etag().replace("\"", "");
        String row = "/cost/row?srcpid=PID1";
        Variant v = new Variant(Bytes.utf8("<alto/>"), null, List.of(new HeaderField("content-type", "application/xml"),
                new HeaderField("alto-derived-from", "\"default-network-map\";path=\"" + MAP + "\";etag=\"" + etag + "\"")));
        f.upstream.docs.put(row, new Representation(v, null, 30, f.clock.instant(), f.clock.instant().plusSeconds(30)));
        f.upstream.tamper = r -> r.body().asUtf8().equals("<alto/>") ? adding(directive).apply(r) : r;
        assertTrue(f.get(row) instanceof Reply.Ok);
        f.feed.quiet().get(5, TimeUnit.SECONDS);
        f.upstream.down = true;
        f.clock.advance(Duration.ofSeconds(31));
        Reply r = f.get(row);
        assertFalse(r instanceof Reply.Ok, "its sources valid, but its upstream forbade it stale: " + r);
    }
}
