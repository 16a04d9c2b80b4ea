package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.Bytes;

/**
 * The push feed's handling of control events: documents the upstream announces are added through
 * the control URI, and when that fails the feed is asked to subscribe again (the new
 * subscription names them); substreams the upstream stops are followed no more. Real sockets:
 * the control URI is a closed loopback port.
 */
class StreamControlTest {

    @Test
    void aFailedAdditionThroughTheControlUriAsksForANewSubscriptionNamingTheDocuments() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: the control URI refuses
        }
        Substreams substreams = new Substreams();
        substreams.follow("/costmap/a", "a");
        StreamControl control = new StreamControl(HttpClient.newHttpClient(), substreams, target -> null);
        URI stream = URI.create("http://127.0.0.1:" + port + "/updates");
        CountDownLatch resubscribed = new CountDownLatch(1);
        String event = "{\"control-uri\":\"/updates/control/1\",\"" + UpdatePublisher.DOCUMENTS_MEMBER
                + "\":{\"/costmap/a\":\"a\",\"/costmap/new\":\"new\"}}";
        assertTrue(control.onEvent(stream, Bytes.utf8(event), resubscribed::countDown), "the subscription was taken");
        assertTrue(resubscribed.await(10, TimeUnit.SECONDS), "asked to subscribe again");
        String body = new String(substreams.subscription(t -> null), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(body.contains("\"/costmap/new\""), "the new subscription names the document: " + body);
    }

    @Test
    void aStoppedSubstreamIsFollowedNoMore() {
        Substreams substreams = new Substreams();
        substreams.follow("/costmap/a", "a");
        substreams.follow("/costmap/b", "b");
        substreams.subscription(t -> null); // gives the ids, d1 and d2
        StreamControl control = new StreamControl(HttpClient.newHttpClient(), substreams, target -> null);
        assertEquals(false, control.onEvent(URI.create("http://127.0.0.1:1/updates"),
                Bytes.utf8("{\"stopped\":[\"d1\"],\"description\":\"the document at /costmap/a is no longer served\"}"),
                () -> { }));
        String body = new String(substreams.subscription(t -> null), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(!body.contains("/costmap/a") && body.contains("/costmap/b"), body);
        assertEquals("/costmap/a", substreams.target("d1"), "its id stays its own");
        assertNull(substreams.unfollow("d1"), "followed no more");
    }
}
