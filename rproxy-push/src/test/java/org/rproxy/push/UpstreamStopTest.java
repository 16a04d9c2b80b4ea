package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.slf4j.LoggerFactory;

/**
 * An upstream's {@code stopped} control event needs no signature: a hostile upstream can send
 * one for any substream, worded as the one a version holding a raw CR brings (which a hostile
 * upstream cannot make: the origin signs the bytes). The push feed follows the document no more
 * on that stream, which costs no more than that upstream's silence would; the stop lasts only as
 * long as the stream: the next subscription, after the signed directory is read again, names the
 * document again. The stop is handed on ({@link PushFeed#onFollowedNoMore}) for a taker to check
 * against the signed answers, never acted on here. Real sockets: a {@link HostileUpstream} relays a genuine signed directory; the
 * feed's timers are the test's ({@link ManualScheduler}).
 */
class UpstreamStopTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void aStopTheUpstreamSendsHoldsOnlyForItsStream() throws Exception {
        Logger controlLog = (Logger) LoggerFactory.getLogger(StreamControl.class);
        Level was = controlLog.getLevel();
        controlLog.setLevel(Level.INFO); // the tests' configuration logs warnings only; a stop heard is INFO
        try (CapturedLogs logs = CapturedLogs.of(StreamControl.class);
             LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            byte[] directory = HostileUpstream.answerOf(genuine.uri().resolve("/directory"));
            AtomicInteger streams = new AtomicInteger();
            List<String> subscriptions = new CopyOnWriteArrayList<>();
            AtomicReference<HostileUpstream> self = new AtomicReference<>();
            try (HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
                if (line.startsWith("GET /directory ")) {
                    HostileUpstream.replay(directory, out);
                } else if (line.startsWith("POST /updates ")) {
                    String body = self.get().lastBody("POST /updates ");
                    subscriptions.add(body);
                    HostileUpstream.acceptStream(out, streams.incrementAndGet());
                    if (streams.get() == 1) {
                        HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                                + "data: {\"stopped\":"
                                + "[\"" + substreamOf(body, "nm") + "\"],\"description\":\"the version of "
                                + LoopbackUpstream.NM + " held now has a raw CR in its bytes\"}\n\n");
                        out.write("0\r\n\r\n".getBytes(US_ASCII));
                        out.flush();
                        throw new EOFException("ended"); // closes the connection
                    } // the next stream stays open until the feed closes
                }
            })) {
                self.set(upstream);
                ManualScheduler timers = new ManualScheduler();
                PushFeed feed = new PushFeed(PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(100),
                        Duration.ofSeconds(1)).withReadTimeout(Duration.ofSeconds(10)), new ResponseVerifier(
                        List.of(genuine.origin.publicKey()), new MutableClock(T0.plusSeconds(10))), copy -> { },
                        timers, () -> 0.5);
                List<String> followedNoMore = new CopyOnWriteArrayList<>();
                feed.onFollowedNoMore(followedNoMore::add); // a --mode push proxy's pull half revalidates it
                try {
                    feed.begin();
                    ManualScheduler.Scheduled reconnect = timers.awaitNextScheduled(30);
                    assertNotNull(reconnect, "the stream the upstream ended after its stop was not given up");
                    assertTrue(logs.events().stream().anyMatch(e -> e.getFormattedMessage().contains(
                            "no longer following [" + LoopbackUpstream.NM + "]")), "the stop heard: " + logs.events());
                    assertEquals(List.of(LoopbackUpstream.NM), followedNoMore, "the stop handed on, to be checked");
                    timers.execute(reconnect.task());
                    LoopbackUpstream.await("a second subscription", () -> subscriptions.size() >= 2);
                    assertNotNull(substreamOf(subscriptions.get(1), "nm"),
                            "the map followed again by the next subscription: " + subscriptions);
                } finally {
                    feed.close();
                }
            }
        } finally {
            controlLog.setLevel(was);
        }
    }

    /** The id of the substream {@code subscription} adds for {@code resourceId}, or null. */
    private static String substreamOf(String subscription, String resourceId) {
        JsonNode add = Jcs.parse(subscription.getBytes(StandardCharsets.UTF_8)).path("add");
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : add.properties()) {
            if (resourceId.equals(e.getValue().path("resource-id").asText())) {
                ids.add(e.getKey());
            }
        }
        assertTrue(ids.size() <= 1, subscription);
        return ids.isEmpty() ? null : ids.get(0);
    }
}
