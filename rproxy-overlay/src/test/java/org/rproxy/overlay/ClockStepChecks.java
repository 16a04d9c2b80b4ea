package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.publisherIdle;
import static org.rproxy.overlay.NamespaceChecks.say;
import static org.rproxy.overlay.NamespaceChecks.waitFor;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.slf4j.LoggerFactory;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;

/** Namespace checks ({@link NamespaceChecks}) of a publisher whose origin's clock stepped back. */
final class ClockStepChecks {
    private ClockStepChecks() {
    }

    /**
     * The origin signs v1 (valid for 20 s: time for its publication and a client's fetch of it
     * on a loaded machine, and no more, since the check then waits it out), then its clock steps back 5 minutes and it signs v2:
     * v2's created, hence its pointer's seq, is lower than v1's. While v1 is valid the publisher
     * keeps it (a client takes it) and says once why v2 is not published. Once v1 has expired and
     * v2 is offered again, the DHT's nodes still hold v1's pointer and refuse v2's (BEP 44): the
     * publisher says so once, clearly, and nothing else at WARN (no per-store "0 of the closest
     * DHT nodes took it"), however often it puts again; a new client, pointed at the expired v1,
     * which nobody seeds any more, is told so well before its budget runs out and goes on to pull
     * (the client that took v1 refuses it as expired and goes on at once).
     */
    static void clockSteppedBack(Path dir) throws Exception {
        Logger overlay = (Logger) LoggerFactory.getLogger("org.rproxy.overlay");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        overlay.addAppender(lines);
        // short renewals: the check waits for v2's put again after the backoff of a store no node took
        try (ThreeNodes n = ThreeNodes.start(dir, NamespaceChecks.SHORT_RENEWALS)) {
            OverlayPublisher p = n.honest;
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            p.bindTo(registry);
            ResponseVerifier verifier = new ResponseVerifier(List.of(ORIGIN.publicKey()), Clock.systemUTC());
            Instant v1 = Instant.now().minusSeconds(10);
            SignedBundle b1 = bundle(ORIGIN, "map-a", v1, "v1", Instant.now().plusSeconds(20));
            Representation d1 = b1.representation(verifier);
            p.offer("/networkmap/map-a", d1, verifier);
            waitFor(() -> !p.published().isEmpty(), 30);
            assertEquals(Map.of("map-a", v1.getEpochSecond()), p.published());

            Instant v2 = v1.minusSeconds(300); // the origin's clock stepped back
            SignedBundle b2 = bundle(ORIGIN, "map-a", v2, "v2", Instant.now().plusSeconds(3600));
            Representation d2 = b2.representation(verifier);
            p.offer("/networkmap/map-a", d2, verifier);
            p.offer("/networkmap/map-a", d2, verifier);
            publisherIdle(p);
            assertEquals(Map.of("map-a", v1.getEpochSecond()), p.published(), "v1 is kept while valid");
            assertEquals(1, warnings(lines, "stays published until").size(), "said once why v2 waits: " + warnings(lines, ""));

            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(p.publicKey())),
                    List.of(ORIGIN.publicKey()), n.client);
            Object first = sources.fetch("/networkmap/map-a");
            say("fetch while v1 is valid: " + describe(first));
            assertTrue(first instanceof VerifiedDocument d && d.created().getEpochSecond() == v1.getEpochSecond(),
                    describe(first));

            waitFor(() -> p.published().isEmpty(), (int) Duration.between(Instant.now(), d1.expires()).toSeconds() + 30);
            assertEquals(Map.of(), p.published(), "v1 expired");
            p.offer("/networkmap/map-a", d2, verifier);
            publisherIdle(p); // the first put of v2 made
            waitFor(() -> failedPuts(registry) >= 2, 60); // and one more, after the backoff of a store no node took
            say("v2 put " + (long) failedPuts(registry) + " times, taken by none: published " + p.published()
                    + "; WARN lines: " + warnings(lines, ""));
            assertTrue(failedPuts(registry) >= 2, "v2 was not put again");
            assertEquals(Map.of(), p.published(), "the DHT nodes took a lower seq than they hold");
            List<String> refused = warnings(lines, "refuse a lower seq");
            assertEquals(1, refused.size(), "the refusal of v2's pointer is said once: " + warnings(lines, ""));
            assertTrue(refused.get(0).contains("version " + v1.getEpochSecond()) && refused.get(0).contains(
                    "version " + v2.getEpochSecond()), refused.get(0));
            assertEquals(List.of(), warnings(lines, "closest DHT nodes took it"), "a store refused for a newer"
                    + " version is not warned of as a store no node took");

            Object later = sources.fetch("/networkmap/map-a");
            say("fetch once v1 expired (client kept it): " + describe(later));
            // a new client: nobody seeds v1 any more, so its fetch gives up on the overlay well
            // before the budget runs out, and pulls
            try (OverlayClient c = OverlayClient.start(NamespaceChecks.config(dir, 4, null))) {
                c.joined().get(60, TimeUnit.SECONDS);
                long start = System.nanoTime();
                Object news = new OverlayOnlySources(directory(List.of(p.publicKey())), List.of(ORIGIN.publicKey()), c)
                        .fetch("/networkmap/map-a");
                long ms = (System.nanoTime() - start) / 1_000_000;
                say("fetch by a new client once v1 expired, " + ms + " ms: " + describe(news));
                assertFalse(news instanceof VerifiedDocument, describe(news));
                assertTrue(describe(news).contains("seq " + v1.getEpochSecond()), "pointed at v1: " + describe(news));
                assertTrue(describe(news).contains("nobody seeds it"), "told nobody seeds v1: " + describe(news));
                assertTrue(describe(news).contains("127.0.0.1:1"), "the client went on to pull: " + describe(news));
                assertTrue(ms < NamespaceChecks.BUDGET.toMillis() / 2, "pulled before the budget ran out: " + ms + " ms");
            }
        } finally {
            overlay.detachAppender(lines);
        }
    }

    /** The WARN lines captured that contain {@code text}. */
    private static List<String> warnings(ListAppender<ILoggingEvent> lines, String text) {
        synchronized (lines.list) {
            return lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(text)).toList();
        }
    }

    private static double failedPuts(SimpleMeterRegistry registry) {
        var c = registry.find("rproxy.overlay.puts").tag("result", "failed").functionCounter();
        return c == null ? 0 : c.count();
    }
}
