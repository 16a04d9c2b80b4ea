package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.config;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.field;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.publisherIdle;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.testing.Eventually;

/**
 * A proxy or cache between the origin and the overlay adds a signature beside the origin's, run
 * by {@link OverlayNamespaceTest} through {@link NamespaceChecks}: host 1 a publisher, host 2 a
 * peer, host 3 a reader.
 */
final class AddedSignatureChecks {
    private AddedSignatureChecks() {
    }

    /**
     * The publisher's proxy and a peer's client both got version 1 of map-a through a hop that
     * added an {@code alto-2} member with another window, by a key nobody trusts: both verified it
     * (they check the origin's {@code alto}). The publisher publishes it, a reader takes it from
     * the overlay, and the peer seeds the very torrent the publisher's pointer names. Before, the
     * publisher's bundle carried the added member, whose window disagrees with the origin's, and
     * every reader refused it ("signed at created (none), not at the pointer's seq"): a hop could
     * deny the overlay for a version; and the peer seeded nothing of it.
     */
    static void signatureAddedOnTheWayDeniesNothing(Path dir) throws Exception {
        try (OverlayPublisher publisher = OverlayPublisher.start(config(dir, 1, key(dir, 1)));
             OverlayClient peer = OverlayClient.start(config(dir, 2, null));
             OverlayClient reader = OverlayClient.start(config(dir, 3, null))) {
            joined(publisher, peer, reader);
            Instant t = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS);
            SignedBundle added = withMemberAdded(bundle(ORIGIN, "map-a", t, "a1"));
            assertNull(SignatureWindow.read(added::field), "the windows disagree");
            ResponseVerifier verifier = new ResponseVerifier(List.of(ORIGIN.publicKey()), Clock.systemUTC());
            publisher.offer(added.verified(verifier)); // as a proxy hands on the copy it verified
            publisherIdle(publisher);
            Eventually.await("map-a published", Duration.ofSeconds(90),
                    () -> publisher.published().containsKey("map-a"));
            Pointer pa = ((PublishedVersions) field(publisher, "versions")).current("map-a");
            String hex = HexFormat.of().formatHex(pa.infoHash());
            say("published map-a version " + pa.seq() + " as " + hex);

            Object got = new OverlayOnlySources(directory(List.of(publisher.publicKey())), List.of(ORIGIN.publicKey()),
                    reader).fetch("/networkmap/map-a");
            say("reader's fetch: " + describe(got));
            assertTrue(got instanceof VerifiedDocument d && d.source().toString().contains(hex),
                    "the reader took map-a from the overlay: " + describe(got));
            assertEquals(t, ((VerifiedDocument) got).created());

            OverlayOnlySources peerClient = new OverlayOnlySources(directory(List.of(publisher.publicKey())),
                    List.of(ORIGIN.publicKey()), peer);
            peerClient.takeFromStream(URI.create("http://100.64.0.4:8080/updates/x"), "/networkmap/map-a", added);
            @SuppressWarnings("unchecked")
            Map<String, OverlayClient.Kept> kept = (Map<String, OverlayClient.Kept>) field(peer, "kept");
            OverlayNode pn = node(peer);
            Eventually.await("the peer seeding the publisher's torrent of map-a", Duration.ofSeconds(60), () -> {
                OverlayClient.Kept k = kept.get("map-a");
                return k != null && k.infoHash().equals(hex) && pn.swarm().holds(pa.infoHash());
            });
            say("the peer seeds " + hex);
        }
    }

    /** {@code b} with an {@code alto-2} signature added, created an hour later and never expiring, by a key nobody has. */
    static SignedBundle withMemberAdded(SignedBundle b) {
        long created = SignatureWindow.read(b::field).created().getEpochSecond() + 3600;
        String junk = Base64.getEncoder().encodeToString(new byte[64]);
        List<HeaderField> out = new ArrayList<>();
        for (HeaderField f : b.fields()) {
            String v = switch (f.name()) {
                case "signature-input" -> f.value() + ", alto-2=(\"content-type\");created=" + created
                        + ";expires=99999999999;keyid=\"a-hop\";alg=\"ed25519\"";
                case "signature" -> f.value() + ", alto-2=:" + junk + ":";
                default -> f.value();
            };
            out.add(new HeaderField(f.name(), v));
        }
        return new SignedBundle(out, b.body());
    }
}
