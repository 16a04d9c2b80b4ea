package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.server.Reply;
import org.rproxy.core.testing.Eventually;

/**
 * {@link PullFeed#revalidateNow}: a push upstream's {@code stopped}, a word from no one trusted,
 * has the held signed copy revalidated, its directory first, at most once per
 * {@code min-interval}. A word heard within {@code min-interval} of the copy's last attempt is
 * not lost: the first refresher pass once the copy is due acts on it. It was dropped, and nothing
 * asked again, so a map the origin deleted was served, and its subscribers told nothing, until the
 * copy's {@code max-age}.
 */
class RevalidateNowTest {
    private static final String MAP = FeedFixture.MAP;
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    /** Generous beside the attempts here, which end at once on a loaded machine too. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final List<String> gone = new CopyOnWriteArrayList<>();
    private FeedFixture f;
    private FakeUpstream upstream;
    private PullFeed feed;

    @BeforeEach
    void start() throws Exception {
        // no tick runs by itself (an hour): the test runs the passes
        f = new FeedFixture(new PullFeed.Settings(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                MIN_INTERVAL, Duration.ofHours(1), List.of("/directory")));
        upstream = f.upstream;
        feed = f.feed;
        feed.addGoneListener(gone::add);
        publish("/directory", PullFeedTest.directoryListing("default-network-map"));
        publish(MAP, FeedFixture.MAP_BODY);
        feed.refreshNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertTrue(f.get(MAP) instanceof Reply.Ok, "the map is held");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void aStopHeardWithinMinIntervalOfTheCopysLastAttemptIsActedOnOnceItIsDue() throws Exception {
        f.clock.advance(Duration.ofSeconds(10));
        // the copy's last attempt: the origin still has the map
        int before = upstream.count(MAP, "gzip");
        feed.revalidateNow(MAP);
        Eventually.await("the first word's revalidation", BOUND,
                () -> upstream.count(MAP, "gzip") > before && !feed.fetching(MAP) && !feed.fetching("/directory"));

        // the origin deletes the map; its signed directory lists it no more; the word comes again at once
        upstream.docs.remove(MAP);
        f.clock.advance(Duration.ofMillis(200));
        publish("/directory", PullFeedTest.directoryListing("other-network-map"));
        feed.revalidateNow(MAP); // within min-interval of the last attempt: not asked now
        assertEquals(List.of(), gone, "nothing dropped on the word");

        f.clock.advance(MIN_INTERVAL);
        feed.refreshNow().get(BOUND.toSeconds(), TimeUnit.SECONDS); // the first pass once the copy is due
        Eventually.await("the map dropped once the upstream's signed answers said so", BOUND,
                () -> gone.contains(MAP) && !feed.fetching(MAP));
        assertEquals(List.of(MAP), gone);
        Reply r = f.get(MAP);
        assertTrue(r instanceof Reply.Error e && e.error().httpStatus() == 404, "answered 404 now: " + r);
    }

    @Test
    void aStopHeardWhileAnAttemptAskedBeforeItIsUnderWayIsActedOnAfterIt() throws Exception {
        f.clock.advance(Duration.ofSeconds(10));
        // an attempt for the map is under way, its answer (the origin still has the map) on its way back
        upstream.delayed = MAP;
        CompletableFuture<Void> answer = new CompletableFuture<>();
        upstream.delivered = answer;
        int before = upstream.count(MAP, "gzip");
        feed.revalidateNow(MAP);
        Eventually.await("the map asked for", BOUND, () -> upstream.count(MAP, "gzip") == before + 1);

        // past min-interval: the origin deletes the map, its signed directory lists it no more, and says stopped
        f.clock.advance(MIN_INTERVAL.multipliedBy(2));
        upstream.docs.remove(MAP);
        publish("/directory", PullFeedTest.directoryListing("other-network-map"));
        feed.revalidateNow(MAP);
        answer.complete(null); // the answer asked before the word: 200
        Eventually.await("the attempt under way ended", BOUND, () -> !feed.fetching(MAP) && !feed.fetching("/directory"));
        assertEquals(List.of(), gone, "the answer asked before the word keeps the map");

        f.clock.advance(MIN_INTERVAL);
        feed.refreshNow().get(BOUND.toSeconds(), TimeUnit.SECONDS); // the first pass once the copy is due
        Eventually.await("the map dropped by the word's own revalidation, asked after the attempt under way", BOUND,
                () -> gone.contains(MAP) && !feed.fetching(MAP));
        assertEquals(before + 2, upstream.count(MAP, "gzip"), "one revalidation for the word");
    }

    @Test
    void wordsWithinMinIntervalAreOneRevalidationOnceDueAndAWordTheOriginDoesNotBearOutDropsNothing()
            throws Exception {
        f.clock.advance(Duration.ofSeconds(10));
        int before = upstream.count(MAP, "gzip");
        feed.revalidateNow(MAP);
        Eventually.await("the first word's revalidation", BOUND,
                () -> upstream.count(MAP, "gzip") == before + 1 && !feed.fetching(MAP) && !feed.fetching("/directory"));
        for (int i = 0; i < 20; i++) {
            feed.revalidateNow(MAP); // a hostile hop says it again and again
        }
        feed.refreshNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(before + 1, upstream.count(MAP, "gzip"), "not asked again within min-interval");

        f.clock.advance(MIN_INTERVAL);
        feed.refreshNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        Eventually.await("the words' one revalidation once due", BOUND,
                () -> upstream.count(MAP, "gzip") == before + 2 && !feed.fetching(MAP));
        f.clock.advance(MIN_INTERVAL);
        feed.refreshNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(before + 2, upstream.count(MAP, "gzip"), "the words were one revalidation, not one each");
        assertEquals(List.of(), gone, "the origin still has the map");
        assertNotNull(feed.heldSigned(MAP), "still held");
    }

    private void publish(String target, String body) {
        upstream.docs.put(target, f.signer.sign(target, body, false, f.clock.instant(), Duration.ofHours(1), 60));
    }
}
