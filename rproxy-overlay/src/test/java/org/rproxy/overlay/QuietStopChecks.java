package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.configOfTwo;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;

/** What peers log as they stop, in a network namespace (see {@link NamespaceChecks}). */
final class QuietStopChecks {

    private QuietStopChecks() {
    }

    /**
     * A publisher and a client peer that fetched from it stop, and bt logs no ERROR: the tests'
     * logging has no filter, as an application that embeds a peer has none. Before, bt's acceptor
     * logged "Incoming channel @ ... has been closed, will stop accepting incoming connections" at
     * ERROR, with a stack trace, at each stop of each peer; only rproxy's own logging
     * configurations filtered it out.
     */
    static void peersStopWithoutAnErrorOfBt(Path dir) throws Exception {
        try (CapturedLogs bt = CapturedLogs.of("bt")) {
            OverlayPublisher p = OverlayPublisher.start(configOfTwo(dir, 1, key(dir, 1)));
            OverlayClient client = OverlayClient.start(configOfTwo(dir, 3, null));
            try (p; client) {
                joined(p, client);
                Instant t = Instant.now().minusSeconds(30);
                say("put a: " + p.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
                Object got = new OverlayOnlySources(directory(List.of(p.publicKey())), List.of(ORIGIN.publicKey()), client)
                        .fetch("/networkmap/map-a");
                say("fetch of map-a: " + describe(got));
                assertTrue(got instanceof VerifiedDocument d && "magnet".equals(d.source().getScheme()), describe(got));
            }
            // bt's acceptor threads end behind the close: what they log comes then
            Eventually.await("bt's acceptor threads ended", Duration.ofSeconds(60), () -> Thread.getAllStackTraces().keySet()
                    .stream().noneMatch(th -> th.isAlive() && th.getName().contains("incoming-acceptor")));
            // (bt's dispatcher writing to a connection closed meanwhile is a race of its own, not the stop's)
            assertEquals(List.of(), bt.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                    .filter(e -> !"Error when writing message".equals(e.getMessage()))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()
                            + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()))
                    .toList(), "bt's errors as the peers stopped");
        }
    }
}
