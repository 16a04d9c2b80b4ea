package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;

/**
 * The push feed keeps one control request in flight per stream (RFC 8895 §7): what the stream's
 * events ask while one is unanswered waits for its answer and goes in one request after it, as it
 * stands then. A burst of announces (a hop injecting them, say) was one request per word, all sent
 * within milliseconds. Real sockets: the control URI is a loopback server that holds each answer
 * until the test lets it go; the feed's thread is a single thread the test hands its calls to.
 */
class ControlRequestsTest {
    private static final int BURST = 20;

    /** Each request's body as it arrives; each waits for a status from {@link #answers}. */
    private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    private final BlockingQueue<Integer> answers = new LinkedBlockingQueue<>();
    private final HttpServer server;
    private final ExecutorService feed = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-feed"));
    private final Substreams substreams = new Substreams();
    private final StreamControl control;
    private final URI stream;

    ControlRequestsTest() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/updates/control/1", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            try {
                Integer status = answers.poll(30, TimeUnit.SECONDS);
                exchange.sendResponseHeaders(status == null ? 503 : status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        stream = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/updates");
        control = new StreamControl(HttpClient.newHttpClient(), feed, substreams, target -> null);
    }

    @AfterEach
    void stop() {
        feed.shutdownNow();
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    private <T> T onFeed(Callable<T> task) throws Exception {
        return feed.submit(task).get(10, TimeUnit.SECONDS);
    }

    private void event(String json, CompletableFuture<String> lost) throws Exception {
        onFeed(() -> control.onEvent(stream, Bytes.utf8(json), lost::complete));
    }

    /** The stream's first control event, naming its control URI; the future completes when the stream is lost. */
    private CompletableFuture<String> opened() throws Exception {
        CompletableFuture<String> lost = new CompletableFuture<>();
        event("{\"control-uri\":\"/updates/control/1\"}", lost);
        return lost;
    }

    /** {@link #opened}, on a stream whose subscription named {@code target} (substream d1). */
    private CompletableFuture<String> openedFollowing(String target, String resourceId) throws Exception {
        substreams.follow(target, resourceId);
        substreams.subscription(t -> null);
        return opened();
    }

    private static String announce(String target) {
        return "{\"" + UpdatePublisher.DOCUMENTS_MEMBER + "\":{\"" + target + "\":\"" + target.substring(1) + "\"}}";
    }

    @Test
    void aBurstOfAnnouncesWhileARequestIsUnansweredGoesInOneRequestAfterIt() throws Exception {
        CompletableFuture<String> lost = opened();
        for (int i = 1; i <= BURST; i++) {
            event(announce("/costmap/m" + i), lost);
        }
        assertTrue(bodies.poll(10, TimeUnit.SECONDS).contains("/costmap/m1"), "the first addition is sent at once");
        assertNull(bodies.poll(0, TimeUnit.SECONDS), "a second request while the first is unanswered");

        answers.add(204);
        String merged = bodies.poll(10, TimeUnit.SECONDS);
        assertNotNull(merged, "the documents announced meanwhile were never added");
        for (int i = 2; i <= BURST; i++) {
            assertTrue(merged.contains("\"/costmap/m" + i + "\""), "m" + i + " not in the request after the first: " + merged);
        }
        answers.add(204);
        event(announce("/costmap/later"), lost);
        String later = bodies.poll(10, TimeUnit.SECONDS);
        assertTrue(later != null && later.contains("/costmap/later") && !later.contains("/costmap/m"), later);
        answers.add(204);
        assertNull(lost.getNow(null));
    }

    /**
     * A hop says again and again that a followed document stopped and announces it again: one
     * addition goes, and the words that come while it is unanswered undo each other; only what
     * stands at its answer is sent (nothing, when the last word stopped it).
     */
    @Test
    void wordsThatUndoEachOtherWhileARequestIsUnansweredCostNothing() throws Exception {
        CompletableFuture<String> lost = openedFollowing("/costmap/x", "x");
        for (int i = 0; i < BURST; i++) {
            event("{\"stopped\":[\"d1\"]}", lost);
            event(announce("/costmap/x"), lost);
        }
        event("{\"stopped\":[\"d1\"]}", lost);
        assertEquals("{\"add\":{\"d1\":{\"path\":\"/costmap/x\",\"resource-id\":\"costmap/x\"}}}", bodies.poll(10, TimeUnit.SECONDS));
        answers.add(204);
        event(announce("/costmap/y"), lost);
        String next = bodies.poll(10, TimeUnit.SECONDS);
        assertTrue(next != null && next.contains("/costmap/y") && !next.contains("/costmap/x"),
                "the request after the first adds only what was asked since and stands: " + next);
        answers.add(204);
        assertNull(lost.getNow(null));
    }

    /**
     * Re-adds asked while a request is unanswered go in the next one with what else was asked: a
     * substream carried is removed and added again from the version held, one whose addition has
     * not been sent yet is only added; the {@code stopped} the upstream then sends for the removal
     * stops nothing.
     */
    @Test
    void reAddsAskedMeanwhileAreMergedWithTheAdditions() throws Exception {
        CompletableFuture<String> lost = openedFollowing("/costmap/a", "a");
        event(announce("/costmap/n"), lost); // d2, sent at once
        assertTrue(bodies.poll(10, TimeUnit.SECONDS).contains("/costmap/n"));
        event(announce("/costmap/m"), lost); // d3, waits
        onFeed(() -> control.readd(List.of("/costmap/a", "/costmap/m"), lost::complete));
        answers.add(204);
        assertEquals("{\"add\":{\"d1\":{\"path\":\"/costmap/a\",\"resource-id\":\"a\"},\"d3\":{\"path\":\"/costmap/m\","
                + "\"resource-id\":\"costmap/m\"}},\"remove\":[\"d1\"]}", bodies.poll(10, TimeUnit.SECONDS));
        answers.add(204);
        event("{\"stopped\":[\"d1\"],\"description\":\"removed by the client\"}", lost);
        assertTrue(onFeed(() -> substreams.follows("/costmap/a")), "the feed's own removal stopped a");
        assertNull(lost.getNow(null));
    }

    /**
     * A re-add asked while one of the same substream is unanswered goes once that one is answered,
     * which can be before the {@code stopped} its removal brings has come down the stream (the two
     * come on different connections): each of the two {@code stopped} answers a removal of the
     * feed's own, and neither stops the document. The ids removed were a set, so the second
     * {@code stopped} was taken for the upstream's and the document was followed no more.
     */
    @Test
    void twoRemovalsOfOneSubstreamEachHaveTheirOwnStopped() throws Exception {
        CompletableFuture<String> lost = openedFollowing("/costmap/x", "x");
        String readd = "{\"add\":{\"d1\":{\"path\":\"/costmap/x\",\"resource-id\":\"x\"}},\"remove\":[\"d1\"]}";
        onFeed(() -> control.readd(List.of("/costmap/x"), lost::complete));
        assertEquals(readd, bodies.poll(10, TimeUnit.SECONDS));
        onFeed(() -> control.readd(List.of("/costmap/x"), lost::complete)); // waits for the first's answer
        answers.add(204);
        assertEquals(readd, bodies.poll(10, TimeUnit.SECONDS), "the second re-add after the first's answer");
        event("{\"stopped\":[\"d1\"],\"description\":\"removed by the client\"}", lost); // the first's
        event("{\"stopped\":[\"d1\"],\"description\":\"removed by the client\"}", lost); // the second's
        answers.add(204);
        assertTrue(onFeed(() -> substreams.follows("/costmap/x")), "the feed's own second removal stopped x");
        assertNull(lost.getNow(null));
    }

    /** A request the upstream does not take loses the stream: what was asked meanwhile is not sent on it. */
    @Test
    void afterARefusedRequestNothingMoreIsSentOnTheStream() throws Exception {
        CompletableFuture<String> lost = opened();
        event(announce("/costmap/a"), lost);
        event(announce("/costmap/b"), lost);
        assertTrue(bodies.poll(10, TimeUnit.SECONDS).contains("/costmap/a"));
        answers.add(400);
        String why = lost.get(10, TimeUnit.SECONDS);
        assertTrue(why.contains("adding substreams [/costmap/a] through the control URI failed: 400"), why);
        event(announce("/costmap/c"), lost);
        onFeed(() -> control.readd(List.of("/costmap/a"), w -> { }));
        onFeed(() -> {
            control.streamStarted(); // the stream lost, the next one's first control event
            return control.onEvent(stream, Bytes.utf8("{\"control-uri\":\"/updates/control/1\"}"), w -> { });
        });
        event(announce("/costmap/d"), new CompletableFuture<>());
        String next = bodies.poll(10, TimeUnit.SECONDS);
        assertTrue(next != null && next.contains("/costmap/d") && !next.contains("/costmap/b") && !next.contains("/costmap/c"),
                "the next stream's first request: " + next);
        answers.add(204);
    }
}
