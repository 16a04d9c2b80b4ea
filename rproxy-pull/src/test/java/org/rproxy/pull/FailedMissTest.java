package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;

/**
 * A target never held whose upstream attempt failed (unreachable, 5xx) is not asked for again
 * within {@code refresh.retry} ({@link FeedFixture}: 5 s), as a held one is not: a crowd asking
 * a cold proxy for it while the upstream fails costs the upstream one request per interval, not
 * one per request.
 */
class FailedMissTest {
    static final String MAP = "/networkmap/default-network-map";
    static final String OTHER = "/costmap/num-routingcost";
    static final String BODY = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]}}}";

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    Reply get(String target) throws Exception {
        return f.feed.serve(CacheKey.get(target), UpstreamCall.PLAIN_GET).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    int status(Reply r) {
        assertTrue(r instanceof Reply.Error, () -> "an error: " + r);
        return ((Reply.Error) r).error().httpStatus();
    }

    @Test
    void aColdMissTheUnreachableUpstreamFailedIsAnsweredAtOnceUntilTheRetryInterval() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, BODY, false, f.clock.instant(), Duration.ofHours(1), 60));
        f.upstream.down = true;
        for (int i = 0; i < 50; i++) {
            assertEquals(504, status(get(MAP)));
        }
        assertEquals(1, f.upstream.total(), "one upstream request for 50 requests within the interval");
        assertTrue(((Reply.Error) get(MAP)).error().message().contains("unreachable"), "the failure it met, said again");

        assertEquals(504, status(get(OTHER)), "another target is asked for: its own attempt");
        assertEquals(2, f.upstream.total());

        f.clock.advance(Duration.ofSeconds(5));
        f.upstream.down = false;
        assertTrue(get(MAP) instanceof Reply.Ok, "asked again once the interval has passed");
        assertEquals(3, f.upstream.total());
    }

    @Test
    void aColdMissTheUpstreamAnswered5xxForIsAnsweredAtOnceUntilTheRetryInterval() throws Exception {
        f.upstream.failStatus = 503;
        for (int i = 0; i < 20; i++) {
            assertEquals(504, status(get(MAP)));
        }
        assertEquals(1, f.upstream.total());
        f.clock.advance(Duration.ofSeconds(5));
        assertEquals(504, status(get(MAP)));
        assertEquals(2, f.upstream.total(), "once per interval");
    }

    @Test
    void aCopyHeldSinceTheFailureIsServed() throws Exception {
        f.upstream.down = true;
        assertEquals(504, status(get(MAP)));
        Representation pushed = f.signer.sign(MAP, BODY, false, f.clock.instant(), Duration.ofHours(1), 60);
        assertTrue(f.feed.offer(Offers.of(f.signer, f.clock, MAP, pushed), "1.1 edge"));
        assertTrue(get(MAP) instanceof Reply.Ok, "the copy offered since, not the failure remembered");
        assertEquals(1, f.upstream.total());
    }

    @Test
    void aFollowedTargetWhoseFetchFailedIsTriedAgainAfterEachPauseNotEveryPass() {
        f.upstream.down = true;
        f.feed.keepFresh(() -> List.of(MAP));
        for (int second = 0; second < 6; second++) { // a pass a second (refresh.tick)
            f.feed.tick();
            f.clock.advance(Duration.ofSeconds(1));
        }
        // pauses of 2 and 4 s (RetryPause, drawn whole here): attempts at 0 and 2 s
        assertEquals(2, f.upstream.total(), "one attempt per pause, not one per pass");
        f.feed.tick();
        assertEquals(3, f.upstream.total(), "tried again once the second has passed, at 6 s");
    }

    @Test
    void anAnswerTheUpstreamGaveIsNotRemembered() throws Exception {
        assertEquals(404, status(get(MAP)), "no such resource upstream: an answer, not a failure");
        f.upstream.docs.put(MAP, f.signer.sign(MAP, BODY, false, f.clock.instant(), Duration.ofHours(1), 60));
        assertTrue(get(MAP) instanceof Reply.Ok, "published meanwhile (404s are the service's NotFoundMemory's)");
    }
}
