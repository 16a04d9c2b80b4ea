package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.testing.RefusedPort;

/**
 * The push feed's handling of control events: documents the upstream announces are added through
 * the control URI, and when that fails the feed is asked to subscribe again (the new
 * subscription names them); substreams the upstream stops are followed no more, except those
 * the feed itself removed to add them again. Real sockets: the control URI is a closed loopback
 * port.
 */
class StreamControlTest {

    @Test
    void aFailedAdditionThroughTheControlUriAsksForANewSubscriptionNamingTheDocuments() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            Substreams substreams = new Substreams();
            substreams.follow("/costmap/a", "a");
            StreamControl control = new StreamControl(HttpClient.newHttpClient(), Runnable::run, substreams, target -> null);
            URI stream = URI.create("http://127.0.0.1:" + port + "/updates");
            CompletableFuture<String> resubscribed = new CompletableFuture<>();
            String event = "{\"control-uri\":\"/updates/control/1\",\"" + UpdatePublisher.DOCUMENTS_MEMBER
                    + "\":{\"/costmap/a\":\"a\",\"/costmap/new\":\"new\"}}";
            assertTrue(control.onEvent(stream, Bytes.utf8(event), resubscribed::complete), "the subscription was taken");
            String why = resubscribed.get(10, TimeUnit.SECONDS);
            assertTrue(why.contains("[/costmap/new]") && why.contains("control URI failed"), "asked to subscribe again, saying why: "
                    + why);
            String body = new String(substreams.subscription(t -> null), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(body.contains("\"/costmap/new\""), "the new subscription names the document: " + body);
        }
    }

    @Test
    void anUpstreamCannotMakeTheFeedFollowDocumentsWithoutEnd() {
        Substreams substreams = new Substreams();
        StreamControl control = new StreamControl(HttpClient.newHttpClient(), Runnable::run, substreams, target -> null);
        URI stream = URI.create("http://127.0.0.1:1/updates");
        int announced = 0;
        for (int event = 0; event < 10; event++) {  // 10 events of 1,000 new documents each
            StringBuilder docs = new StringBuilder();
            for (int i = 0; i < 1000; i++, announced++) {
                docs.append(i == 0 ? "" : ",").append("\"/costmap/m").append(announced).append("\":\"m").append(announced).append('"');
            }
            control.onEvent(stream, Bytes.utf8("{\"" + UpdatePublisher.DOCUMENTS_MEMBER + "\":{" + docs + "}}"), why -> { });
        }
        control.onEvent(stream, Bytes.utf8("{\"" + UpdatePublisher.DOCUMENTS_MEMBER + "\":{\"costmap/relative\":\"r\",\"/"
                + "x".repeat(Substreams.MAX_TARGET_CHARS) + "\":\"long\"}}"), why -> { });
        String body = new String(substreams.subscription(t -> null), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(Substreams.MAX_FOLLOWED, body.split("\"resource-id\"", -1).length - 1, "documents followed");
        assertTrue(!body.contains("costmap/relative") && !body.contains("xxxx"), "neither a relative nor an over-long target is followed");
        assertEquals(10_000 - Substreams.MAX_FOLLOWED + 2, substreams.refused());
    }

    @Test
    void aStoppedSubstreamIsFollowedNoMore() {
        Substreams substreams = new Substreams();
        substreams.follow("/costmap/a", "a");
        substreams.follow("/costmap/b", "b");
        substreams.subscription(t -> null); // gives the ids, d1 and d2
        StreamControl control = new StreamControl(HttpClient.newHttpClient(), Runnable::run, substreams, target -> null);
        assertEquals(false, control.onEvent(URI.create("http://127.0.0.1:1/updates"),
                Bytes.utf8("{\"stopped\":[\"d1\"],\"description\":\"the document at /costmap/a is no longer served\"}"),
                why -> { }));
        String body = new String(substreams.subscription(t -> null), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(!body.contains("/costmap/a") && body.contains("/costmap/b"), body);
        assertEquals("/costmap/a", substreams.target("d1"), "its id stays its own");
        assertNull(substreams.unfollow("d1"), "followed no more");
    }

    @Test
    void theStoppedEventAnsweringTheFeedsOwnReAddStopsNothing() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            Substreams substreams = new Substreams();
            substreams.follow("/costmap/a", "a");
            substreams.follow("/costmap/b", "b");
            substreams.subscription(t -> null); // gives the ids, d1 and d2
            StreamControl control = new StreamControl(HttpClient.newHttpClient(), Runnable::run, substreams, target -> null);
            URI stream = URI.create("http://127.0.0.1:" + port + "/updates");
            assertTrue(control.onEvent(stream, Bytes.utf8("{\"control-uri\":\"/updates/control/1\"}"), why -> { }));

            Substreams.Change r = substreams.change(List.of("/costmap/a"), List.of("/costmap/a"), t -> "\"v1\"");
            assertEquals(List.of("d1"), r.removed());
            assertEquals("{\"add\":{\"d1\":{\"path\":\"/costmap/a\",\"resource-id\":\"a\",\"tag\":\"v1\"}},\"remove\":[\"d1\"]}",
                    r.body().asUtf8(), "removed and added again, naming the tag held");
            assertEquals(r, substreams.change(List.of("/costmap/a"), List.of("/costmap/a"), t -> "\"v1\""),
                    "a value: the same request is equal");

            assertEquals(StreamControl.Readd.ASKED, control.readd(List.of("/costmap/a"), why -> { }));
            control.onEvent(stream, Bytes.utf8("{\"stopped\":[\"d1\"],\"description\":\"removed by the client\"}"), why -> { });
            String body = new String(substreams.subscription(t -> null), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(body.contains("/costmap/a"), "still followed: " + body);

            control.onEvent(stream, Bytes.utf8("{\"stopped\":[\"d1\"],\"description\":\"gone\"}"), why -> { });
            body = new String(substreams.subscription(t -> null), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(!body.contains("/costmap/a") && body.contains("/costmap/b"), "a later stop is the upstream's: " + body);
        }
    }

    @Test
    void withoutAControlUriNothingIsReAdded() {
        Substreams substreams = new Substreams();
        substreams.follow("/costmap/a", "a");
        StreamControl control = new StreamControl(HttpClient.newHttpClient(), Runnable::run, substreams, target -> null);
        assertEquals(StreamControl.Readd.NO_CONTROL_URI, control.readd(List.of("/costmap/a"), why -> { }),
                "the feed subscribes again instead");
    }

    /**
     * A stream subscribed naming documents of which some are followed no more by the time it is
     * the feed's (a trial's, {@link StreamTrial#handOver}): one its upstream announces is followed
     * again with no addition (the stream carries it; an addition would be refused, its id in use),
     * and one it does not is removed from the stream by one control request; the stop that request
     * brings stops nothing more. Real sockets: the control URI is a loopback server answering 204.
     */
    @Test
    void documentsACarriedStreamNamedButNoLongerFollowedAreFollowedAgainWhenAnnouncedAndElseRemoved()
            throws Exception {
        java.util.concurrent.BlockingQueue<String> bodies = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/updates/control/1", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        java.util.concurrent.ExecutorService feed = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            Substreams substreams = new Substreams();
            for (String d : List.of("a", "b", "c")) {
                substreams.follow("/costmap/" + d, d);
            }
            substreams.subscription(t -> null); // ids d1, d2, d3, as the stream's subscription named them
            java.util.Set<String> named = substreams.followed();
            StreamControl control = new StreamControl(HttpClient.newHttpClient(), feed, substreams, target -> null);
            URI stream = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/updates");
            // the working stream's upstream stopped b and c meanwhile
            control.onEvent(stream, Bytes.utf8("{\"stopped\":[\"d2\",\"d3\"]}"), why -> { });
            assertEquals(java.util.Set.of("/costmap/a"), substreams.followed());

            control.carrying(named);
            CompletableFuture<String> failed = new CompletableFuture<>();
            // this stream's upstream accepts, announcing a and b: b is followed again, nothing is added
            assertTrue(control.onEvent(stream, Bytes.utf8("{\"control-uri\":\"/updates/control/1\",\""
                    + UpdatePublisher.DOCUMENTS_MEMBER + "\":{\"/costmap/a\":\"a\",\"/costmap/b\":\"b\"}}"),
                    failed::complete));
            assertEquals(java.util.Set.of("/costmap/a", "/costmap/b"), substreams.followed());
            feed.submit(() -> control.remove(named, failed::complete)).get(10, TimeUnit.SECONDS); // answered on the feed's thread
            assertEquals("{\"remove\":[\"d3\"]}", bodies.poll(10, TimeUnit.SECONDS), "c removed, nothing added first");
            feed.submit(() -> control.onEvent(stream, Bytes.utf8("{\"stopped\":[\"d3\"],\"description\":\"removed by the client\"}"),
                    failed::complete)).get(10, TimeUnit.SECONDS);
            assertEquals(java.util.Set.of("/costmap/a", "/costmap/b"), substreams.followed());
            // announced after the hand-over, c is a new substream again: added
            feed.submit(() -> control.onEvent(stream, Bytes.utf8("{\"" + UpdatePublisher.DOCUMENTS_MEMBER
                    + "\":{\"/costmap/c\":\"c\"}}"), failed::complete)).get(10, TimeUnit.SECONDS);
            String added = bodies.poll(10, TimeUnit.SECONDS);
            assertTrue(added != null && added.contains("\"add\"") && added.contains("/costmap/c"), added);
            assertNull(failed.getNow(null));
        } finally {
            feed.shutdownNow();
            server.stop(0);
        }
    }
}
