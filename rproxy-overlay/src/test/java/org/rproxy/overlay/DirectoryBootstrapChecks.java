package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.boot;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.config;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.field;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.OverlaySource;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.answer.ResourcePaths;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

/**
 * A brand-new peer, which never reached the origin, starts from the directory the publishers put
 * into the overlay ({@link OverlayClient#directoryOffers}), run by {@link OverlayNamespaceTest}
 * through {@link NamespaceChecks}: host 1 an honest publisher, host 2 one that points at a
 * directory another key signed, host 3 the peer, its origin unreachable.
 */
final class DirectoryBootstrapChecks {
    private DirectoryBootstrapChecks() {
    }

    /**
     * The peer's overlay settings name both publishers; the bad one's pointer claims the newer
     * version and is offered first, refused (not signed by the pinned key), and the honest one's
     * directory taken, kept beside the state file and seeded; the peer then has map-a from the
     * overlay. Before, bootstrap ended at the origin's refusal: nothing named the overlay.
     */
    static void brandNewPeerBootstrapsFromTheOverlay(Path dir) throws Exception {
        try (OverlayPublisher honest = OverlayPublisher.start(config(dir, 1, key(dir, 1)));
             OverlayPublisher bad = OverlayPublisher.start(config(dir, 2, key(dir, 2)))) {
            OverlayConfig peerConfig = config(dir, 3, null).toBuilder()
                    .publishers(bad.publicKey(), honest.publicKey().toUpperCase()).build();
            try (OverlayClient peer = OverlayClient.start(peerConfig)) {
                joined(honest, bad, peer);
                Instant t = Instant.now().minusSeconds(30);
                SignedBundle genuine = signedDirectory(ORIGIN, honest.publicKey(), t);
                say("put directory: " + honest.publish(genuine, t.getEpochSecond()).get(90, TimeUnit.SECONDS));
                say("put a: " + honest.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
                SigningKey other = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
                Instant later = t.plusSeconds(10);
                say("bad put directory: " + bad.publish(signedDirectory(other, bad.publicKey(), later),
                        later.getEpochSecond()).get(90, TimeUnit.SECONDS));
                String honestHex = HexFormat.of().formatHex(
                        ((PublishedVersions) field(honest, "versions")).current(ResourcePaths.DIRECTORY_ID).infoHash());

                Path state = dir.resolve("peer.state");
                ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:1"), KeyPin.ofKeyId(ORIGIN.keyId()))
                        .withTimeout(Duration.ofSeconds(10)).withStateFile(state);
                List<String> refused = new CopyOnWriteArrayList<>();
                long start = System.nanoTime();
                try (AltoClient alto = AltoClient.bootstrap(options, watched(peer, refused))) {
                    say("bootstrapped from the overlay after " + (System.nanoTime() - start) / 1_000_000 + " ms");
                    say("refused: " + refused);
                    assertEquals(1, refused.size(), refused.toString());
                    assertTrue(refused.get(0).contains("xs=urn:btpk:" + bad.publicKey()) && refused.get(0).contains(
                            "the pinned key id"), "the bad publisher's directory refused first: " + refused);
                    assertTrue(alto.trustedKeyIds().contains(ORIGIN.keyId()), alto.trustedKeyIds().toString());
                    assertEquals(List.of("/networkmap/map-a"), alto.mapTargets(), "the genuine directory's maps");
                    @SuppressWarnings("unchecked")
                    Map<String, OverlayClient.Kept> kept = (Map<String, OverlayClient.Kept>) field(peer, "kept");
                    assertEquals(honestHex, kept.get(ResourcePaths.DIRECTORY_ID).infoHash(), "the honest one's taken");
                    assertTrue(Files.exists(dir.resolve("peer.state.directory")), "kept for the next start");

                    VerifiedDocument map = alto.fetch("/networkmap/map-a");
                    say("fetch a: " + describe(map));
                    assertEquals("magnet", map.source().getScheme(), describe(map));
                }
            }
        }
    }

    /**
     * A peer bootstrapped from the overlay (its origin away) learns the origin's next key from the
     * overlay too: the publisher puts a newer directory, signed by the current key and listing the
     * next one, and the peer's {@link AltoClient#refreshKeys()}, which no server answers, takes it
     * from the overlay. Before, a refresh asked the overlay for no directory: it ended at the
     * origin's refusal, the next key unknown, and the peer refused everything once the old key
     * retired.
     */
    static void peerWhoseOriginStaysAwayLearnsTheNextKeyFromTheOverlay(Path dir) throws Exception {
        try (OverlayPublisher honest = OverlayPublisher.start(NamespaceChecks.configOfTwo(dir, 1, key(dir, 1)));
             OverlayClient peer = OverlayClient.start(NamespaceChecks.configOfTwo(dir, 3, null).toBuilder()
                     .publishers(honest.publicKey()).build())) {
            joined(honest, peer);
            Instant t = Instant.now().minusSeconds(30);
            say("put directory: " + honest.publish(signedDirectory(ORIGIN, honest.publicKey(), t), t.getEpochSecond())
                    .get(90, TimeUnit.SECONDS));
            ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:1"), KeyPin.ofKeyId(ORIGIN.keyId()))
                    .withTimeout(Duration.ofSeconds(10)).withStateFile(dir.resolve("peer.state"));
            try (AltoClient alto = AltoClient.bootstrap(options, peer)) {
                assertEquals(java.util.Set.of(ORIGIN.keyId()), alto.trustedKeyIds(), "bootstrapped from the overlay");
                SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
                Instant later = t.plusSeconds(10);
                say("put the directory listing the next key: " + honest.publish(signedDirectory(ORIGIN, List.of(ORIGIN, next),
                        honest.publicKey(), later), later.getEpochSecond()).get(90, TimeUnit.SECONDS));
                Object keys;
                try {
                    keys = alto.refreshKeys();
                } catch (ClientException e) {
                    keys = e;
                }
                say("refreshKeys: " + keys);
                assertEquals(java.util.Set.of(ORIGIN.keyId(), next.keyId()), keys, "the next key learnt from the overlay");
            }
        }
    }

    /** {@code peer}, each refusal its client tells it also added to {@code refused}. */
    private static OverlaySource watched(OverlayClient peer, List<String> refused) {
        return new OverlaySource() {
            @Override
            public Iterator<Offer> offers(Directory directory, String target, String resourceId, Instant held) {
                return peer.offers(directory, target, resourceId, held);
            }

            @Override
            public Iterator<Offer> directoryOffers() {
                return peer.directoryOffers();
            }

            @Override
            public void accepted(Offer offer) {
                peer.accepted(offer);
            }

            @Override
            public void held(SignedBundle bundle) {
                peer.held(bundle);
            }

            @Override
            public void refused(Offer offer, String resourceId, ClientException why) {
                refused.add(resourceId + ": " + why.getMessage());
                peer.refused(offer, resourceId, why);
            }
        };
    }

    /** The origin's directory signed by {@code origin} at {@code created}: map-a, its key, the overlay with {@code publisher}. */
    static SignedBundle signedDirectory(SigningKey origin, String publisher, Instant created) {
        return signedDirectory(origin, List.of(origin), publisher, created);
    }

    /** As {@link #signedDirectory(SigningKey, String, Instant)}, listing {@code listed}' keys. */
    static SignedBundle signedDirectory(SigningKey origin, List<SigningKey> listed, String publisher, Instant created) {
        Map<String, InformationResource> res = new LinkedHashMap<>();
        res.put("map-a", InformationResource.simple("map-a", "/networkmap/map-a", MediaTypes.NETWORK_MAP, List.of()));
        List<String> b = new ArrayList<>();
        boot().forEach(a -> b.add(a.host() + ":" + a.port()));
        Directory d = new Directory(Map.of(), "map-a", res, listed.stream().map(k -> k.publicKey().jwk()).toList(), List.of(),
                new OverlayInfo(OverlayInfo.BITTORRENT_DHT, b, List.of(publisher), OverlayInfo.SALT_RESOURCE_ID));
        byte[] body = Jcs.canonicalize(AltoJson.writeDirectory(d));
        return NamespaceChecks.signed(origin, MediaTypes.DIRECTORY,
                AltoResource.of(ResourcePaths.DIRECTORY_ID, ResourcePaths.DIRECTORY_PATH), "\"d" + created.getEpochSecond() + "\"",
                body, created, created.plus(Duration.ofHours(2)));
    }
}
