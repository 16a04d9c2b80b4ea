package org.rproxy.pull;

import static org.rproxy.pull.FeedFixture.MAP;
import static org.rproxy.pull.FeedFixture.MAP_BODY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Reply;

/**
 * The upstream is not trusted: its {@code 4xx} (other than the 404 and 410 that have rules of
 * their own) for a document the proxy holds signed and valid does not take that copy from the
 * proxy's clients. It is a failure of the upstream like a {@code 5xx}: the copy is served within
 * its {@code stale-if-error} window, and the upstream is not asked again within {@code retry}.
 */
class HeldCopyOver4xxTest {

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    Reply get() throws Exception {
        return f.get(MAP);
    }

    @Test
    void a403ForAHeldSignedDocumentServesTheCopyWithinStaleIfError() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofHours(1), 60));
        assertTrue(get() instanceof Reply.Ok);
        f.upstream.failStatus = 403;
        f.clock.advance(Duration.ofMinutes(3)); // past max-age and stale-while-revalidate: the request waits for the upstream
        Reply r = get();
        assertTrue(r instanceof Reply.Ok, () -> "the valid signed copy, not the upstream's 403: " + r);
        assertEquals(CacheStatus.STALE, ((Reply.Ok) r).cache());
        assertEquals(Bytes.utf8(MAP_BODY), ((Reply.Ok) r).representation().identity().body());
        int asked = f.upstream.total();
        f.clock.advance(Duration.ofSeconds(1));
        assertTrue(get() instanceof Reply.Ok);
        assertEquals(asked, f.upstream.total(), "not asked again within its retry pause, as after any failure");
    }

    @Test
    void a4xxForADocumentNotHeldIsPassedOn() throws Exception {
        f.upstream.failStatus = 403;
        Reply r = get();
        assertTrue(r instanceof Reply.Error, () -> "the upstream's answer: " + r);
        assertEquals(403, ((Reply.Error) r).error().httpStatus());
    }
}
