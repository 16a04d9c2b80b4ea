package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.boot;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

/** Namespace checks ({@link NamespaceChecks}) of a publisher that started before any peer. */
final class ColdStartChecks {
    /** How long after a peer joined its lookup must find the pointer: the unreached backoff's cap, and room. */
    static final Duration FOUND_WITHIN = Duration.ofMinutes(2).plusSeconds(10);

    private ColdStartChecks() {
    }

    /**
     * A publisher alone puts its pointer (no DHT node takes it) and stores it again as it
     * renews (three stores that no node took: past the settling stores of the old schedule);
     * then a peer joins. The peer's lookup must find the pointer within the backoff's cap, not
     * at the next republish (20 min).
     */
    static void pointerPutBeforeAnyPeerIsFoundOnceOneJoins(Path dir) throws Exception {
        try (OverlayPublisher p = OverlayPublisher.start(NothingFoundChecks.config(dir, 1, key(dir, 1), boot(1, 3),
                NamespaceChecks.BUDGET))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            p.bindTo(registry);
            Instant t = Instant.now().minusSeconds(30);
            say("put alone: " + p.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
            long start = System.nanoTime();
            while (unreached(registry) < 3) {
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(100), "three stores that no node took");
                Thread.sleep(200);
            }
            say("stores no node took: " + unreached(registry) + " after " + seconds(start) + " s; a peer joins");
            try (OverlayClient client = OverlayClient.start(NothingFoundChecks.config(dir, 3, null, boot(1, 3),
                    NamespaceChecks.BUDGET))) {
                node(client).dht().joined().get(60, TimeUnit.SECONDS);
                long joined = System.nanoTime();
                byte[] publisher = NamespaceChecks.key(p).publicKey();
                Optional<StorageItem> found = Optional.empty();
                while (found.isEmpty() && System.nanoTime() - joined < FOUND_WITHIN.toNanos()) {
                    found = node(client).dht().get(publisher, Pointer.salt("map-a")).get(60, TimeUnit.SECONDS);
                    if (found.isEmpty()) {
                        Thread.sleep(1000);
                    }
                }
                say("pointer " + (found.isPresent() ? "found" : "not found") + " " + seconds(joined) + " s after the peer joined");
                assertTrue(found.isPresent(), "the pointer put before any peer was not found within " + FOUND_WITHIN
                        + " of a peer joining");
            }
        }
    }

    private static double unreached(SimpleMeterRegistry registry) {
        FunctionCounter c = registry.find("rproxy.overlay.puts").tag("result", "failed").functionCounter();
        return c == null ? 0 : c.count();
    }

    private static long seconds(long since) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }
}
