package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * A push feed with one upstream, whose update stream moves (the parent restarted with another
 * stream path, its signed directory naming the new one): the feed reads the directory again
 * before it subscribes again, and follows the stream where it now is. It kept the stream URI of
 * its first directory read for as long as it ran, and subscribed there after every loss: with
 * the old path answered 404, it retried it at the longest backoff for good, and followed nothing.
 * A real upstream on loopback (the real publishers and front end); the feed's timers are the
 * test's ({@link ManualScheduler}).
 */
class MovedStreamTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    private static String directory(String streamPath) {
        return "{\"resources\":{"
                + "\"nm\":{\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"" + NM + "\"},"
                + "\"updates\":{\"media-type\":\"text/event-stream\",\"uri\":\"" + streamPath + "\",\"uses\":[\"nm\"]}}}";
    }

    private static Representation signed(TestSigner origin, String target, String id, String body, Instant created) {
        Bytes jcs = Bytes.wrap(Jcs.canonicalize(body.getBytes(StandardCharsets.UTF_8)));
        return origin.sign(AltoResource.of(id, target), jcs, false, created, Duration.ofDays(1), 60);
    }

    @Test
    void aStreamThatMovedIsFollowedWhereTheDirectoryNowNamesIt() throws Exception {
        TestSigner origin = new TestSigner();
        UpdatePublisher before = new UpdatePublisher(UpdateStreamConfig.defaults());
        UpdateStreamConfig defaults = UpdateStreamConfig.defaults();
        UpdatePublisher after = new UpdatePublisher(new UpdateStreamConfig("/updates-v2", defaults.heartbeat(),
                defaults.stallTimeout(), defaults.maxSubscribers(), defaults.windowBytes(), defaults.maxPendingBytes(),
                true, false, null));
        boolean beforeClosed = false;
        AtomicReference<Representation> dir = new AtomicReference<>(
                signed(origin, StreamDiscovery.DIRECTORY, "directory", directory("/updates"), T0));
        AtomicReference<UpdatePublisher> serving = new AtomicReference<>(before);
        AtomicInteger oldPathAsked = new AtomicInteger();
        AltoService documents = req -> CompletableFuture.completedFuture(
                req.method().equals("GET") && req.path().equals(StreamDiscovery.DIRECTORY) ? new Reply.Ok(dir.get())
                        : new Reply.Error(AltoError.invalidValue("uri", req.path(), "not here").withStatus(404),
                        Dialect.JSON));
        AltoService viaBefore = before.wrap(documents);
        AltoService viaAfter = after.wrap(documents);
        Representation map = signed(origin, NM, "nm", networkMap(1, 1), T0);
        before.accept(NM, map);
        before.accept(StreamDiscovery.DIRECTORY, dir.get());
        try (AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), req -> {
            if (req.path().equals("/updates") && serving.get() == after) {
                oldPathAsked.incrementAndGet();
            }
            return (serving.get() == before ? viaBefore : viaAfter).handle(req);
        })) {
            URI upstream = URI.create("http://127.0.0.1:" + server.localAddress().getPort());
            ManualScheduler timers = new ManualScheduler();
            PushFeed feed = new PushFeed(PushFeedConfig.of(upstream).withBackoff(Duration.ofMillis(100),
                    Duration.ofSeconds(8)), new ResponseVerifier(List.of(origin.publicKey()),
                    new MutableClock(T0.plusSeconds(60))), copy -> { }, timers, () -> 0.5);
            try {
                feed.begin();
                LoopbackUpstream.await("the map held from the stream at /updates",
                        () -> feed.stats().connected() && feed.held().get(NM) != null);

                // The upstream restarts with its stream at /updates-v2, its new directory naming it.
                Representation moved = signed(origin, StreamDiscovery.DIRECTORY, "directory",
                        directory("/updates-v2"), T0.plusSeconds(10));
                dir.set(moved);
                Representation newer = signed(origin, NM, "nm", networkMap(2, 2), T0.plusSeconds(10));
                after.accept(StreamDiscovery.DIRECTORY, moved);
                after.accept(NM, newer);
                serving.set(after);
                before.close(); // its streams end: the feed's is lost
                beforeClosed = true;

                for (int attempt = 0; attempt < 3 && after.stats().subscribers() == 0; attempt++) {
                    ManualScheduler.Scheduled retry = timers.awaitNextScheduled(10);
                    assertNotNull(retry, "no reconnect scheduled after attempt " + attempt);
                    timers.execute(retry.task());
                    LoopbackUpstream.within(Duration.ofSeconds(2), () -> after.stats().subscribers() == 1
                            || timers.pendingScheduled() > 0);
                }
                LoopbackUpstream.await("the stream followed at /updates-v2, and the new map held from it",
                        () -> after.stats().subscribers() == 1
                                && feed.held().get(NM).identity().body().equals(newer.identity().body()));
                assertEquals(0, oldPathAsked.get(), "the stream's old path, which the directory no longer names");
            } finally {
                feed.close();
            }
        } finally {
            if (!beforeClosed) {
                before.close();
            }
            after.close();
        }
    }

    /**
     * The other side of reading the directory again: a document it lists that the stream refuses
     * (here a query resource the upstream's update stream does not offer as a document) is followed
     * no more, and the next subscription goes to the same stream without it. Read again, the
     * directory would have the feed follow it again, and be refused again, for good.
     */
    @Test
    void aDocumentTheStreamRefusesIsNotFollowedAgainFromTheDirectory() throws Exception {
        TestSigner origin = new TestSigner();
        String body = "{\"resources\":{"
                + "\"nm\":{\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"" + NM + "\"},"
                + "\"fc\":{\"media-type\":\"application/alto-costmap+json\",\"uri\":\"/costmap/filtered\","
                + "\"accepts\":\"application/alto-costmapfilter+json\",\"uses\":[\"nm\"]},"
                + "\"updates\":{\"media-type\":\"text/event-stream\",\"uri\":\"/updates\",\"uses\":[\"nm\",\"fc\"]}}}";
        Representation dir = signed(origin, StreamDiscovery.DIRECTORY, "directory", body, T0);
        UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
        AltoService service = publisher.wrap(req -> CompletableFuture.completedFuture(
                req.method().equals("GET") && req.path().equals(StreamDiscovery.DIRECTORY) ? new Reply.Ok(dir)
                        : new Reply.Error(AltoError.invalidValue("uri", req.path(), "not here").withStatus(404),
                        Dialect.JSON)));
        publisher.accept(StreamDiscovery.DIRECTORY, dir);
        publisher.accept(NM, signed(origin, NM, "nm", networkMap(1, 1), T0));
        AtomicInteger directoryReads = new AtomicInteger();
        try (AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), req -> {
            if (req.path().equals(StreamDiscovery.DIRECTORY)) {
                directoryReads.incrementAndGet();
            }
            return service.handle(req);
        })) {
            URI upstream = URI.create("http://127.0.0.1:" + server.localAddress().getPort());
            ManualScheduler timers = new ManualScheduler();
            PushFeed feed = new PushFeed(PushFeedConfig.of(upstream).withBackoff(Duration.ofMillis(100),
                    Duration.ofSeconds(8)), new ResponseVerifier(List.of(origin.publicKey()),
                    new MutableClock(T0.plusSeconds(60))), copy -> { }, timers, () -> 0.5);
            try {
                feed.begin();
                for (int attempt = 0; attempt < 3 && publisher.stats().subscribers() == 0; attempt++) {
                    ManualScheduler.Scheduled retry = timers.awaitNextScheduled(10);
                    assertNotNull(retry, "no reconnect scheduled after attempt " + attempt);
                    timers.execute(retry.task());
                    LoopbackUpstream.within(Duration.ofSeconds(2), () -> publisher.stats().subscribers() == 1
                            || timers.pendingScheduled() > 0);
                }
                LoopbackUpstream.await("the stream subscribed to without the refused document, the map held",
                        () -> publisher.stats().subscribers() == 1 && feed.held().get(NM) != null);
                assertEquals(1, directoryReads.get(), "directory reads");
            } finally {
                feed.close();
            }
        } finally {
            publisher.close();
        }
    }
}
