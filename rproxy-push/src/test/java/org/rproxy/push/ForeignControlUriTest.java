package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;

/**
 * The upstream names the control URI the push feed POSTs to, and upstreams are not trusted: one
 * that is not on the stream's own scheme, host and port is refused, the stream lost as any broken
 * one (backoff, the next upstream), and nothing is sent there. Real sockets on loopback: the
 * upstream is a real {@link UpdatePublisher} whose public URI names another port, where a socket
 * waits to see whether anything comes.
 */
class ForeignControlUriTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void aStreamWhoseControlUriIsOnAnotherPortIsLostAndNothingIsSentThere() throws Exception {
        try (ServerSocket elsewhere = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults()
                     .withBase(false, "http://127.0.0.1:" + elsewhere.getLocalPort()), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            // Not in the directory: announced by the control event, so the feed would add it there.
            upstream.publish("/networkmap/extra", "extra", networkMap(9, 9), T0);
            ManualScheduler timers = new ManualScheduler();
            PushFeedConfig config = PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(upstream.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), copy -> { }, timers, () -> 0.5);
            try {
                feed.begin();
                elsewhere.setSoTimeout(2000);
                try (Socket s = elsewhere.accept()) {
                    fail("the feed sent a request where the upstream said: " + s);
                } catch (SocketTimeoutException expected) {
                    // nothing came
                }
                ManualScheduler.Scheduled retry = timers.runNextScheduled(5);
                assertNotNull(retry, "the stream was not given up");
                assertEquals(75, retry.delayMillis(), "after the backoff, as for any lost stream");
                ManualScheduler.Scheduled again = timers.awaitNextScheduled(5); // not run: two connects, no third
                assertNotNull(again, "the second stream was not given up either");
                assertEquals(150, again.delayMillis(), "the backoff doubles: the upstream's subscription never counted");
                assertFalse(feed.stats().connected());
                assertEquals(2, feed.stats().connects());
                assertNull(feed.held().get(NM), "nothing taken from a refused stream");
            } finally {
                feed.close();
            }
        }
    }

    /**
     * Readiness follows a usable stream: the upstream answering 200 is not enough, since the feed
     * refuses the stream at its first event when the control URI is elsewhere, and then has
     * none. It stays not ready, saying why, through the reconnects that are refused the same way.
     */
    @Test
    void aFeedWhoseStreamsAreRefusedForTheirControlUriIsNotReady() throws Exception {
        try (ServerSocket elsewhere = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults()
                     .withBase(false, "http://127.0.0.1:" + elsewhere.getLocalPort()), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            ManualScheduler timers = new ManualScheduler();
            PushFeed feed = new PushFeed(PushFeedConfig.of(upstream.uri()), new ResponseVerifier(
                    List.of(upstream.origin.publicKey()), new MutableClock(T0.plusSeconds(10))), copy -> { }, timers,
                    () -> 0.5);
            try {
                feed.begin();
                assertNotNull(timers.runNextScheduled(5), "the first stream was not given up");
                assertNotNull(timers.awaitNextScheduled(5), "the second stream was not given up");
                assertEquals(2, feed.stats().connects(), "two streams opened (200), both refused");
                String why = feed.notReadyBecause();
                assertNotNull(why, "ready on a stream whose control URI was refused");
                assertTrue(why.contains("control URI"), why);
            } finally {
                feed.close();
            }
        }
    }

    @Test
    void aFeedWhoseStreamIsAcceptedIsReady() throws Exception {
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            PushFeed feed = new PushFeed(PushFeedConfig.of(upstream.uri()), new ResponseVerifier(
                    List.of(upstream.origin.publicKey()), new MutableClock(T0.plusSeconds(10))), copy -> { },
                    new ManualScheduler(), () -> 0.5);
            try {
                feed.begin();
                LoopbackUpstream.await("the map held", () -> feed.held().get(NM) != null);
                assertNull(feed.notReadyBecause());
            } finally {
                feed.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/updates/control/1", "https://127.0.0.1:8181/updates/control/1",
            "http://127.0.0.2:8181/updates/control/1", "http://evil.example:8181/updates/control/1",
            "http://127.0.0.1/updates/control/1", "http://user@127.0.0.1:8181/updates/control/1",
            "//evil.example/updates/control/1", "mailto:someone@example.org", "http://[::1:8181/bad"})
    void aControlUriOffTheStreamsSchemeHostOrPortIsRefused(String named) {
        StreamControl control = new StreamControl(HttpClient.newHttpClient(), Runnable::run, new Substreams(), t -> null);
        URI stream = URI.create("http://127.0.0.1:8181/updates");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> control.onEvent(stream,
                Bytes.utf8("{\"control-uri\":\"" + named + "\"}"), why -> { }));
        assertTrue(e.getMessage().contains(named) && e.getMessage().contains("http://127.0.0.1:8181"), e.getMessage());
        assertEquals(StreamControl.Readd.NO_CONTROL_URI, control.readd(List.of(NM), why -> { }),
                "no control URI was taken");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/updates/control/1", "control/1", "http://127.0.0.1:8181/updates/control/1",
            "HTTP://127.0.0.1:8181/updates/control/1"})
    void aControlUriOnTheStreamsSchemeHostAndPortIsTaken(String named) {
        URI stream = URI.create("http://127.0.0.1:8181/updates");
        assertEquals(stream.resolve(named), StreamControl.controlUri(stream, named));
    }

    @Test
    void aDefaultPortIsTheSameAsNamingIt() {
        assertEquals(URI.create("https://alto.example:443/updates/control/1"), StreamControl.controlUri(
                URI.create("https://ALTO.example/updates"), "https://alto.example:443/updates/control/1"));
        assertEquals(URI.create("http://alto.example/updates/control/1"), StreamControl.controlUri(
                URI.create("http://alto.example:80/updates"), "http://alto.example/updates/control/1"));
    }
}
