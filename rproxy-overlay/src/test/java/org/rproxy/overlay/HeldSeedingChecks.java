package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.config;
import static org.rproxy.overlay.NamespaceChecks.configOfTwo;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.field;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;

/**
 * A peer seeds what its client holds however it got it ({@link HeldCopies}), run by
 * {@link OverlayNamespaceTest} through {@link NamespaceChecks}: host 1 a publisher, host 2 a
 * peer whose client took the version from a proxy's update stream, host 3 a new reader.
 */
final class HeldSeedingChecks {
    private HeldSeedingChecks() {
    }

    /**
     * The publisher puts its pointer to version 1 of map-a; the peer's client takes that version
     * from a proxy's stream (the overlay not asked), and seeds it as the publisher's torrent; the
     * publisher goes down; a new reader finds the pointer on the DHT nodes left and takes the
     * bundle from the peer, verified as any copy. Before, the peer seeded nothing it had not
     * fetched from the overlay, and the reader found nobody seeding the torrent.
     */
    static void streamedVersionSeededAfterThePublisherLeft(Path dir) throws Exception {
        try (OverlayClient peer = OverlayClient.start(config(dir, 2, null));
             OverlayClient reader = OverlayClient.start(config(dir, 3, null))) {
            Instant t = Instant.now().minusSeconds(30);
            SignedBundle v1 = bundle(ORIGIN, "map-a", t, "a1");
            String publisherKey;
            String hex;
            OverlayOnlySources peerClient;
            try (OverlayPublisher publisher = OverlayPublisher.start(config(dir, 1, key(dir, 1)))) {
                joined(publisher, peer, reader);
                publisherKey = publisher.publicKey();
                say("put a: " + publisher.publish(v1, t.getEpochSecond()).get(90, TimeUnit.SECONDS));
                Pointer pa = ((PublishedVersions) field(publisher, "versions")).current("map-a");
                hex = HexFormat.of().formatHex(pa.infoHash());
                peerClient = new OverlayOnlySources(directory(List.of(publisherKey)),
                        List.of(ORIGIN.publicKey()), peer);
                Instant taken = peerClient.takeFromStream(URI.create("http://100.64.0.4:8080/updates/x"),
                        "/networkmap/map-a", v1);
                say("the peer's client took version " + taken.getEpochSecond() + " from a proxy's stream");
                boolean seeds = seeds(peer, pa.infoHash(), Duration.ofSeconds(20));
                say("the peer seeds the publisher's torrent " + hex + ": " + seeds);
            }
            say("publisher closed");
            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(publisherKey)),
                    List.of(ORIGIN.publicKey()), reader);
            long start = System.nanoTime();
            Object got = sources.fetch("/networkmap/map-a");
            say("new reader's fetch after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + describe(got));
            assertTrue(got instanceof VerifiedDocument d && d.source().toString().contains(hex),
                    "the new reader took the version the peer holds from the overlay: " + describe(got));
            assertEquals(t.getEpochSecond(), ((VerifiedDocument) got).created().getEpochSecond());
            assertTrue(node(peer).swarm().holds(HexFormat.of().parseHex(hex)), "the peer seeds it still");

            // a newer version taken from the stream replaces it: the older one is seeded no more
            SignedBundle v2 = bundle(ORIGIN, "map-a", t.plusSeconds(5), "a2");
            peerClient.takeFromStream(URI.create("http://100.64.0.4:8080/updates/x"), "/networkmap/map-a", v2);
            @SuppressWarnings("unchecked")
            java.util.Map<String, OverlayClient.Kept> kept = (java.util.Map<String, OverlayClient.Kept>) field(peer, "kept");
            OverlayNode pn = node(peer);
            Eventually.await("the peer seeding version 2 alone", Duration.ofSeconds(30), () -> {
                OverlayClient.Kept k = kept.get("map-a");
                return k != null && !k.infoHash().equals(hex) && pn.swarm().holds(HexFormat.of().parseHex(k.infoHash()))
                        && !pn.swarm().holds(HexFormat.of().parseHex(hex));
            });
            say("the peer seeds version 2 (" + kept.get("map-a").infoHash() + ") and no longer version 1");
        }
    }

    /**
     * What a peer keeps ends at its signature's expiry, by the peer's clock, as a publisher's
     * versions do: map-a, taken from a proxy's stream and seeded ({@link HeldCopies}), and map-b,
     * fetched from the overlay and seeded on, are both dropped and no longer announced once the
     * peer's clock passes their expiry. Before, both were seeded and announced until a newer
     * version came, expired or not.
     */
    static void heldVersionsEndAtTheirExpiry(Path dir) throws Exception {
        MutableClock clock = MutableClock.now();
        try (OverlayPublisher publisher = OverlayPublisher.start(configOfTwo(dir, 1, key(dir, 1)));
             OverlayClient peer = OverlayClient.start(configOfTwo(dir, 3, null), RenewalTimes.DEFAULT, clock)) {
            joined(publisher, peer);
            Instant t = Instant.now().minusSeconds(30);
            SignedBundle a = bundle(ORIGIN, "map-a", t, "a1");
            say("put b: " + publisher.publish(bundle(ORIGIN, "map-b", t, "b1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
            OverlayOnlySources client = new OverlayOnlySources(directory(List.of(publisher.publicKey())),
                    List.of(ORIGIN.publicKey()), peer);
            client.takeFromStream(URI.create("http://100.64.0.4:8080/updates/x"), "/networkmap/map-a", a);
            Object b = client.fetch("/networkmap/map-b");
            say("fetch b: " + describe(b));
            assertTrue(b instanceof VerifiedDocument d && d.source().toString().startsWith("magnet:"), describe(b));
            @SuppressWarnings("unchecked")
            Map<String, OverlayClient.Kept> kept = (Map<String, OverlayClient.Kept>) field(peer, "kept");
            OverlayNode pn = node(peer);
            Eventually.await("the peer seeding map-a and map-b", Duration.ofSeconds(30), () -> kept.size() == 2
                    && kept.values().stream().allMatch(k -> pn.swarm().holds(HexFormat.of().parseHex(k.infoHash()))));
            say("seeded: " + kept.keySet() + ", torrents " + pn.swarm().torrents() + ", renewals " + pn.renewals().size());
            assertTrue(pn.renewals().size() >= 2, "both announced and kept announced: " + pn.renewals().size());

            clock.advance(Duration.ofHours(3)); // both were signed valid for two hours
            Eventually.await("the peer dropping both once expired", HeldCopies.SWEEP.multipliedBy(6),
                    () -> kept.isEmpty() && pn.swarm().torrents() == 0 && pn.renewals().size() == 0);
            say("after the expiry: kept " + kept.keySet() + ", torrents " + pn.swarm().torrents() + ", renewals "
                    + pn.renewals().size());
        }
    }

    /**
     * A version a peer took from a proxy before any publisher's pointer named it is seeded and
     * announced, but not found: a reader looks up the pointer, and the overlay serves the version
     * it names (the older one). Once the publisher puts its pointer to that version, it names the
     * very torrent the peer seeds (one version, one bundle, one infohash), so after the publisher
     * has left a reader takes it from the peer. Why the peer puts no pointer of its own: see
     * docs/overlay.md (a version no pointer names).
     */
    static void aVersionAheadOfThePointersIsFoundOnceAPointerNamesIt(Path dir) throws Exception {
        try (OverlayClient peer = OverlayClient.start(config(dir, 2, null));
             OverlayClient reader = OverlayClient.start(config(dir, 3, null))) {
            Instant t = Instant.now().minusSeconds(30);
            OverlayOnlySources readerClient;
            String ahead;
            try (OverlayPublisher publisher = OverlayPublisher.start(config(dir, 1, key(dir, 1)))) {
                joined(publisher, peer, reader);
                say("put a1: " + publisher.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
                OverlayOnlySources peerClient = new OverlayOnlySources(directory(List.of(publisher.publicKey())),
                        List.of(ORIGIN.publicKey()), peer);
                SignedBundle v2 = bundle(ORIGIN, "map-a", t.plusSeconds(5), "a2");
                peerClient.takeFromStream(URI.create("http://100.64.0.4:8080/updates/x"), "/networkmap/map-a", v2);
                @SuppressWarnings("unchecked")
                Map<String, OverlayClient.Kept> kept = (Map<String, OverlayClient.Kept>) field(peer, "kept");
                OverlayNode pn = node(peer);
                Eventually.await("the peer seeding version 2", Duration.ofSeconds(30), () -> kept.get("map-a") != null
                        && pn.swarm().holds(HexFormat.of().parseHex(kept.get("map-a").infoHash())));
                ahead = kept.get("map-a").infoHash();
                readerClient = new OverlayOnlySources(directory(List.of(publisher.publicKey())), List.of(ORIGIN.publicKey()),
                        reader);
                Object first = readerClient.fetch("/networkmap/map-a");
                say("reader, the pointer at version 1: " + describe(first));
                assertTrue(first instanceof VerifiedDocument d && d.created().getEpochSecond() == t.getEpochSecond(),
                        "the overlay serves the version the pointer names: " + describe(first));

                say("put a2: " + publisher.publish(v2, t.getEpochSecond() + 5).get(90, TimeUnit.SECONDS));
                Pointer p2 = ((PublishedVersions) field(publisher, "versions")).current("map-a");
                assertEquals(ahead, HexFormat.of().formatHex(p2.infoHash()), "the pointer names the peer's torrent");
            }
            say("publisher closed");
            Object second = readerClient.fetch("/networkmap/map-a");
            say("reader, the pointer at version 2: " + describe(second));
            assertTrue(second instanceof VerifiedDocument d && d.source().toString().contains(ahead)
                    && d.created().getEpochSecond() == t.getEpochSecond() + 5, "version 2 from the peer: " + describe(second));
        }
    }

    /** Whether {@code peer} seeds {@code infoHash} within {@code within}. */
    private static boolean seeds(OverlayClient peer, byte[] infoHash, Duration within) throws Exception {
        OverlayNode n = node(peer);
        try {
            Eventually.await("the peer seeding the version it holds", within, () -> n.swarm().holds(infoHash));
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }
}
