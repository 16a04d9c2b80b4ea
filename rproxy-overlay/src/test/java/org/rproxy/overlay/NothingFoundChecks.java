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
}
