package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.boot;
import static org.rproxy.overlay.NamespaceChecks.bundle;
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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.ClientException;
import org.rproxy.client.OverlayOnlySources;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.Durations;

/** Namespace checks ({@link NamespaceChecks}) of what a client is told when the overlay has nothing for it. */
final class NothingFoundChecks {
    private NothingFoundChecks() {
    }

    /** A node on {@code host} bootstrapping from {@code bootstrap}, with {@code budget}. */
    static OverlayConfig config(Path dir, int host, Path key, List<Address> bootstrap, Duration budget) {
        return OverlayConfig.builder().bind(ip(host)).dhtPort(6881).btPort(7000 + host).bootstrap(bootstrap).key(key)
                .storage(dir.resolve("node-" + host)).seeding(true).budget(budget).build();
    }

    /**
     * A publisher points at a torrent nobody seeds (nobody ever announced it): the client's DHT
     * lookups of its peers find none, so its fetch gives up and goes on to pull (the origin, here
     * nobody at 127.0.0.1:1) well before its budget runs out, saying why and how much of the
     * budget it took, the budget in the project's form ("1m", not "PT1M").
     */
    static void unseededPointerIsGivenUpEarly(Path dir) throws Exception {
        try (OverlayPublisher bad = OverlayPublisher.start(config(dir, 1, key(dir, 1), boot(1, 3), NamespaceChecks.BUDGET));
             OverlayClient client = OverlayClient.start(config(dir, 3, null, boot(1, 3), NamespaceChecks.BUDGET))) {
            joined(bad, client);
            byte[] nowhere = new byte[20];
            new SecureRandom().nextBytes(nowhere);
            Pointer p = new Pointer(NamespaceChecks.key(bad).publicKey(), "map-a", Instant.now().getEpochSecond(), nowhere, 600);
            say("put: " + node(bad).dht().put(p.sign(NamespaceChecks.key(bad))).get(60, TimeUnit.SECONDS));
            String said = fetchGivenUpEarly(client, bad, " DHT lookups of its peers over "
                    + Durations.format(SeederWatch.EMPTY_SPAN) + " found none)");
            assertFalse(said.contains("PT1M"), said);
        }
    }

    /**
     * A pointer names a bundle its publisher seeded and announced, then dropped (as when its
     * signature expired after the origin's clock stepped back): the DHT still names the
     * publisher as its peer, which refuses the torrent once bt has stopped it (the drop's future);
     * the client gives up after the refusals, well before its budget runs out, and goes on to pull.
     */
    static void droppedBundleIsGivenUpEarly(Path dir) throws Exception {
        try (ThreeNodes n = ThreeNodes.start(dir)) {
            OverlayNode pub = node(n.honest);
            // one clock read: a pointer's seq is its bundle's created second
            Instant created = Instant.now();
            SignedBundle b = bundle(ORIGIN, "map-a", created, "v1");
            byte[] ih = pub.swarm().seed("map-a.http", b.toBytes());
            say("announced: " + pub.dht().announce(ih, pub.swarm().port()).get(60, TimeUnit.SECONDS));
            Pointer p = new Pointer(NamespaceChecks.key(n.honest).publicKey(), "map-a", created.getEpochSecond(), ih,
                    b.toBytes().length);
            say("put: " + pub.dht().put(p.sign(NamespaceChecks.key(n.honest))).get(60, TimeUnit.SECONDS));
            // bt serves the torrent until it reports it stopped (droppedTorrentIsNotServedOnceTheDropCompletes)
            pub.swarm().drop(HexFormat.of().formatHex(ih)).get(Swarm.STOP_WAIT.toSeconds() + 10, TimeUnit.SECONDS);
            fetchGivenUpEarly(n.client, n.honest, "nobody seeds it (the one peer the DHT named, /" + ip(1) + ":"
                    + pub.swarm().port() + ", refused it " + SeederWatch.REFUSALS_EACH + " times; ");
        }
    }

    /**
     * A pointer names a bundle nobody has, and the DHT names two client peers as its peers (as it
     * does a peer's announcement from before it restarted): each client fetches it, finds the
     * other, and connects to it, which has none of it either. Both give up, saying that the
     * peers had none of it, well before the budget runs out, and go on to pull (before, a
     * connection made kept both waiting their whole budget).
     */
    static void peersWithNoPieceAreGivenUpEarly(Path dir) throws Exception {
        try (ThreeNodes n = ThreeNodes.start(dir)) {
            byte[] content = "a bundle nobody has".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] ih = new bt.metainfo.MetadataService().fromByteArray(NamespaceChecks.metainfo("map-a.http", content))
                    .getTorrentId().getBytes();
            for (OverlayClient c : List.of(n.other, n.client)) {
                OverlayNode cn = node(c);
                say("announced by " + cn.config().bind() + ": " + cn.dht().announce(ih, cn.swarm().port()).get(60, TimeUnit.SECONDS));
            }
            Pointer p = new Pointer(NamespaceChecks.key(n.honest).publicKey(), "map-a", Instant.now().getEpochSecond(), ih,
                    content.length);
            say("put: " + node(n.honest).dht().put(p.sign(NamespaceChecks.key(n.honest))).get(60, TimeUnit.SECONDS));
            java.util.concurrent.CompletableFuture<String> other = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> fetchGivenUpEarly(n.other, n.honest, "nobody seeds it ("));
            String said = fetchGivenUpEarly(n.client, n.honest, "nobody seeds it (");
            String saidOther = other.get(90, TimeUnit.SECONDS);
            for (String s : List.of(said, saidOther)) {
                assertTrue(s.contains("had none of it"), "given up for the peers that had none of it: " + s);
            }
        }
    }

    /**
     * Fetches map-a as {@code client}, pointed at by {@code publisher} alone, and checks that the
     * overlay's offer failed for {@code why} before the budget ran out, after which the client
     * went on to pull; returns what the client said.
     */
    private static String fetchGivenUpEarly(OverlayClient client, OverlayPublisher publisher, String why) {
        OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(publisher.publicKey())),
                List.of(ORIGIN.publicKey()), client);
        long start = System.nanoTime();
        Object fa = sources.fetch("/networkmap/map-a");
        long ms = (System.nanoTime() - start) / 1_000_000;
        String said = describe(fa);
        say("fetch a took " + ms + " ms: " + said);
        assertTrue(fa instanceof ClientException, said);
        assertTrue(said.contains("unreachable: no bundle: torrent "), said);
        assertTrue(said.contains(why), "expected " + why + " in: " + said);
        assertTrue(said.contains(" into the budget of 1m"), said);
        assertTrue(said.contains("http://127.0.0.1:1/networkmap/map-a: unreachable"), "went on to pull: " + said);
        assertTrue(ms < NamespaceChecks.BUDGET.toMillis() / 2, "given up before the budget ran out, not when: " + ms + " ms");
        return said;
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
