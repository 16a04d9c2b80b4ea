package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.push.PushFeed;
import org.rproxy.push.PushFeedConfig;

/**
 * A hop between the origin and a {@code --mode push} proxy ({@link StopInjectingRelay}, real
 * sockets on loopback) re-announces the cost map on every stream and says it stopped: the proxy
 * follows the map again and adds it through the control URI, and the origin, which never stopped
 * that substream, refuses the addition ({@code substream id already in use}). Each stream is so
 * lost for the upstream's fault. The proxy subscribes again at doubling waits up to {@code
 * push.backoff-max}, not at once, and warns of it once: it warned on every stream, each accepted
 * one starting its loss log afresh.
 */
class RefusedReannounceIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(2);
    private static final int STREAMS = 7;

    @TempDir
    Path dir;

    @Test
    void aRefusedReannounceIsRetriedAtDoublingWaitsAndWarnedOfOnce() throws Exception {
        try (PushTree tree = PushTree.start(dir);
             StopInjectingRelay relay = new StopInjectingRelay(tree.originPort(), PushTree.COST_MAP);
             PushPullProxy p = pushProxy(relay.base(), tree.publicKey);
             CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            PushTree.await(BOUND, "the proxy's feed holds the cost map", () -> p.feed().held().containsKey(PushTree.COST_MAP));
            long start = System.nanoTime();
            relay.inject("{\"alto-redist-documents\":{\"" + PushTree.COST_MAP + "\":\"routingcost-map\"},\"stopped\":[\"%s\"]}",
                    Integer.MAX_VALUE, 2);
            PushTree.await(BOUND, STREAMS + " subscriptions since the hop began", () -> subscriptions(relay, start).size() >= STREAMS);
            relay.stopInjecting();
            List<Long> at = subscriptions(relay, start);
            for (int i = at.size() - 2; i < at.size(); i++) {
                Duration gap = Duration.ofNanos(at.get(i) - at.get(i - 1));
                assertTrue(gap.compareTo(BACKOFF_MAX.dividedBy(2)) >= 0, "subscription " + (i + 1) + " came " + gap
                        + " after the one before: the waits did not reach backoff-max (" + BACKOFF_MAX + ")");
            }
            List<String> warned = logs.events().stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, warned.size(), at.size() + " streams lost the same way: " + warned);
            assertTrue(warned.get(0).contains("substream id already in use"), warned.get(0));
        }
    }

    /**
     * However many announces the hop injects on a stream, the proxy keeps one control request in
     * flight on it: the words that come while one is unanswered wait for its answer, merged into
     * the next request, and the refusal of the first loses the stream before any other is sent. It
     * sent one control request per announce, a burst of them within milliseconds, each refused.
     * Counted on the streams subscribed to since the hop began.
     */
    @Test
    void eachStreamCostsTheOriginOneControlRequestAtATime() throws Exception {
        try (PushTree tree = PushTree.start(dir);
             StopInjectingRelay relay = new StopInjectingRelay(tree.originPort(), PushTree.COST_MAP);
             PushPullProxy p = pushProxy(relay.base(), tree.publicKey)) {
            PushTree.await(BOUND, "the proxy's feed holds the cost map", () -> p.feed().held().containsKey(PushTree.COST_MAP));
            long start = System.nanoTime();
            relay.inject("{\"alto-redist-documents\":{\"" + PushTree.COST_MAP + "\":\"routingcost-map\"},\"stopped\":[\"%s\"]}",
                    Integer.MAX_VALUE, 20);
            PushTree.await(BOUND, "3 subscriptions since the hop began", () -> subscriptions(relay, start).size() >= 3);
            relay.stopInjecting();
            int streams = 0;
            int controls = 0;
            for (StopInjectingRelay.Request r : relay.requests().stream().filter(r -> r.at() >= start).toList()) {
                if (r.method().equals("POST") && r.path().equals("/updates")) {
                    streams++;
                    controls = 0;
                } else if (r.method().equals("POST") && r.path().startsWith("/updates/control/") && streams >= 1 && streams < 3) {
                    // not the stream open when the hop began: its first control request (adding the
                    // documents the directory does not list) may reach the origin only now
                    controls++;
                    assertTrue(controls <= 1, controls + " control requests on stream " + streams + " since the hop began, "
                            + relay.injected() + " words injected so far");
                }
            }
        }
    }

    /** When each subscription since {@code since} (nanoTime) reached the origin. */
    private static List<Long> subscriptions(StopInjectingRelay relay, long since) {
        return relay.requests().stream().filter(r -> r.at() >= since && r.method().equals("POST")
                && r.path().equals("/updates")).map(StopInjectingRelay.Request::at).toList();
    }

    private static PushPullProxy pushProxy(String upstream, Path pub) {
        PushFeedConfig feed = PushFeedConfig.of(URI.create(upstream)).withReadTimeout(PushTree.STEADY_READ_TIMEOUT)
                .withBackoff(Duration.ofMillis(100), BACKOFF_MAX);
        return PushPullProxy.start(Proxies.config("refused-reannounce", upstream, pub), feed, PushTree.streamConfig(), null,
                Clock.systemUTC());
    }
}
