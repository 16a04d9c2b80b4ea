package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.boot;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.ip;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.ClientException;
import org.rproxy.client.OverlayOnlySources;
import org.rproxy.core.config.Address;

/** Namespace checks ({@link NamespaceChecks}) of what a client is told when the overlay has nothing for it. */
final class NothingFoundChecks {
    /** A budget short enough to be spent in a check, long enough for a lookup. */
    static final Duration SHORT = Duration.ofSeconds(8);

    private NothingFoundChecks() {
    }

    /** A node on {@code host} bootstrapping from {@code bootstrap}, with {@code budget}. */
    static OverlayConfig config(Path dir, int host, Path key, List<Address> bootstrap, Duration budget) {
        return new OverlayConfig(ip(host), 6881, 7000 + host, bootstrap, false, key, dir.resolve("node-" + host), true,
                budget, null, null);
    }

    /**
     * A publisher points at a torrent nobody seeds: the client's refusal says the budget in the
     * project's form ("8s", not "PT8S") and that no peer was connected.
     */
    static void budgetSpentWithNoPeer(Path dir) throws Exception {
        try (OverlayPublisher bad = OverlayPublisher.start(config(dir, 1, key(dir, 1), boot(1, 3), SHORT));
             OverlayClient client = OverlayClient.start(config(dir, 3, null, boot(1, 3), SHORT))) {
            joined(bad, client);
            byte[] nowhere = new byte[20];
            new SecureRandom().nextBytes(nowhere);
            Pointer p = new Pointer(NamespaceChecks.key(bad).publicKey(), "map-a", Instant.now().getEpochSecond(), nowhere, 600);
            say("put: " + node(bad).dht().put(p.sign(NamespaceChecks.key(bad))).get(60, TimeUnit.SECONDS));
            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(bad.publicKey())), List.of(ORIGIN.publicKey()),
                    client);
            Object fa = sources.fetch("/networkmap/map-a");
            String said = describe(fa);
            say("fetch a: " + said);
            assertTrue(fa instanceof ClientException, said);
            assertTrue(said.contains("no bundle within the budget of 8s (no peer connected)"), said);
            assertFalse(said.contains("PT8S"), said);
        }
    }

    /**
     * A client whose bootstrap nodes are all down: its fetch says at once (within the join wait,
     * not the whole budget) that it has not joined the DHT.
     */
    static void notJoinedIsSaid(Path dir) throws Exception {
        try (OverlayClient client = OverlayClient.start(config(dir, 3, null, boot(1, 2), NamespaceChecks.BUDGET))) {
            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of("ab".repeat(32))),
                    List.of(ORIGIN.publicKey()), client);
            long start = System.nanoTime();
            Object fa = sources.fetch("/networkmap/map-a");
            long ms = (System.nanoTime() - start) / 1_000_000;
            String said = describe(fa);
            say("fetch a (not joined) took " + ms + " ms: " + said);
            assertTrue(fa instanceof ClientException, said);
            assertTrue(said.contains("overlay:map-a: unreachable: not joined to the DHT within 5s"), said);
            assertTrue(ms < NamespaceChecks.BUDGET.toMillis() / 2, "told at once, not after the budget: " + ms + " ms");
        }
    }

    /** Joined, but no listed publisher has a pointer for the resource: the fetch names them. */
    static void noPointerIsSaid(Path dir) throws Exception {
        try (OverlayPublisher quiet = OverlayPublisher.start(config(dir, 1, key(dir, 1), boot(1, 3), NamespaceChecks.BUDGET));
             OverlayClient client = OverlayClient.start(config(dir, 3, null, boot(1, 3), NamespaceChecks.BUDGET))) {
            joined(quiet, client);
            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(quiet.publicKey())),
                    List.of(ORIGIN.publicKey()), client);
            Object fa = sources.fetch("/networkmap/map-a");
            String said = describe(fa);
            say("fetch a (no pointer): " + said);
            assertTrue(fa instanceof ClientException, said);
            assertTrue(said.contains("overlay:map-a: unreachable: no pointer from publishers " + quiet.publicKey()), said);
        }
    }
}
