package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.rproxy.core.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/**
 * The client's key set against a real origin rotating its key: the next key is learnt from the
 * directory, a document signed with it is then taken, the pinned key stays trusted after the
 * directory drops it, a client pinned to several keys bootstraps from a directory signed by any
 * of them, and a directory signed by no pinned key is refused.
 */
class KeySetTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final SigningKey current = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);
    private final SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);
    private final SigningKey other = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);

    private Path keys(String entries) throws Exception {
        // private keys readable by their owner alone: the origin refuses any other mode, at start and
        // when its keys-file poll picks a key up
        for (Path key : List.of(Files.writeString(dir.resolve("current.key"), current.toPkcs8Pem()),
                Files.writeString(dir.resolve("next.key"), next.toPkcs8Pem()))) {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        Path tmp = Files.writeString(dir.resolve("keys.tmp"), "keys:\n" + entries.replace("DIR", dir.toString()));
        return Files.move(tmp, dir.resolve("keys.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A real origin on loopback signing with the current key alone, taking each change of its keys file at once. */
    private Origin origin() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("default-network-map.json"), LocalOrigin.networkMap("128.36.1.0/24"));
        LocalOrigin.writeCosts(maps, 5);
        Path keysFile = keys("  - file: DIR/current.key\n    signing: true\n");
        return Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keysFile,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "key-set-test", null)
                .withKeysPoll(OriginConfig.MIN_KEYS_POLL)); // each change taken within a fraction of a second
    }

    @Test
    void theNextKeyIsLearntFromTheDirectoryAndAClientPinnedToSeveralTakesAnyOfThem() throws Exception {
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        try (Origin origin = origin();
             AltoClient client = AltoClient.bootstrap(ClientOptions.of(URI.create(origin.baseUri()),
                     KeyPin.ofKeyId(cur)))) {
            assertEquals(Set.of(cur), client.trustedKeyIds());

            keys("  - file: DIR/current.key\n    signing: true\n  - file: DIR/next.key\n");
            Eventually.await("the next key learnt", Duration.ofSeconds(30),
                    () -> client.refreshKeys().equals(Set.of(cur, nxt)));

            keys("  - file: DIR/next.key\n    signing: true\n");
            // The origin switches its key, then signs its documents again: the cost map follows a moment later.
            Eventually.await("signed with the next key", Duration.ofSeconds(30),
                    () -> origin.keyId().equals(nxt) && client.refreshKeys().equals(Set.of(cur, nxt))
                    && client.fetch(LocalOrigin.COST_MAP).representation().identity().header("signature-input")
                    .orElseThrow().contains(nxt));
            client.refreshMaps();

            try (AltoClient pinnedToBoth = AltoClient.bootstrap(ClientOptions.of(URI.create(origin.baseUri()),
                    KeyPin.anyOf(List.of(KeyPin.ofKeyId(nxt), KeyPin.ofKeyId(cur)))))) {
                // The old id is pinned by id alone, and the directory no longer lists its key: only the next resolves.
                assertEquals(Set.of(nxt), pinnedToBoth.trustedKeyIds());
            }
            ClientException.InvalidResponse refused = assertInstanceOf(ClientException.InvalidResponse.class,
                    assertThrows(ClientException.class, () -> AltoClient.bootstrap(ClientOptions.of(
                            URI.create(origin.baseUri()), KeyPin.ofPem(Files.writeString(dir.resolve("other.pub"),
                                    other.publicKey().toSpkiPem()))))));
            assertTrue(refused.getMessage().contains("not signed by the pinned key " + other.publicKey().keyId()),
                    refused.getMessage());
        }
    }

    /**
     * A peer whose origin is away reads the directory again ({@code refreshKeys}) from its overlay
     * ({@link OverlaySource#directoryOffers}), which offers the origin's genuine directory from
     * before it listed its next key: refused as a rollback, so the overlay cannot take back the
     * next key the peer learnt, nor bring back a key set the origin replaced.
     */
    @Test
    void anOlderDirectoryTheOverlayOffersAtARefreshTakesBackNoKey() throws Exception {
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        DirectoryFromOverlayTest.Shelf overlay = new DirectoryFromOverlayTest.Shelf();
        Origin origin = origin();
        AltoClient peer;
        try {
            peer = AltoClient.bootstrap(ClientOptions.of(URI.create(origin.baseUri()), KeyPin.ofKeyId(cur)), overlay);
        } catch (RuntimeException e) {
            origin.close();
            throw e;
        }
        try (peer) {
            try (origin) {
                SignedBundle before = DirectoryFromOverlayTest.directory(URI.create(origin.baseUri()));
                keys("  - file: DIR/current.key\n    signing: true\n  - file: DIR/next.key\n");
                Eventually.await("the next key learnt", Duration.ofSeconds(30),
                        () -> peer.refreshKeys().equals(Set.of(cur, nxt)));
                overlay.add("before-the-next-key", before);
            }
            ClientException.NoSourceLeft none = assertThrows(ClientException.NoSourceLeft.class, peer::refreshKeys);

            assertEquals(1, overlay.asked, "the overlay asked once no server gave the directory");
            assertTrue(none.attempts().stream().anyMatch(a -> a instanceof ClientException.Rollback),
                    none.getMessage());
            assertEquals(List.of(), overlay.accepted);
            assertEquals(Set.of(cur, nxt), peer.trustedKeyIds(), "the next key kept");
        }
    }

    /**
     * A directory naming one key id twice (the origin's key, and another key under its kid) is
     * refused at bootstrap, naming the kid and the field, whichever of the two comes first: the
     * order of a key set must not decide which key a client pins.
     */
    @Test
    void aDirectoryListingTwoKeysUnderOneKidIsRefusedWhicheverComesFirst() {
        TestSigner origin = new TestSigner();
        Jwk genuine = origin.publicKey().jwk();
        Jwk forged = new Jwk(genuine.kty(), genuine.crv(), other.publicKey().jwk().x(), null, genuine.kid(), genuine.alg());
        for (List<Jwk> keys : List.of(List.of(forged, genuine), List.of(genuine, forged))) {
            String body = "{\"meta\":{\"alto-redist\":{\"keys\":[" + json(keys.get(0)) + "," + json(keys.get(1))
                    + "],\"proxies\":[]}},\"resources\":{}}";
            try (ScriptedProxy server = new ScriptedProxy()) {
                server.serve(AnswerEngine.DIRECTORY, origin.sign(AnswerEngine.DIRECTORY, body, false, Instant.now(),
                        Duration.ofHours(1), 60));
                ClientException.InvalidResponse refused = assertThrows(ClientException.InvalidResponse.class,
                        () -> AltoClient.bootstrap(ClientOptions.of(server.uri(), KeyPin.ofKeyId(genuine.kid()))).close(),
                        "bootstrapped from " + body);
                assertTrue(refused.getMessage().contains("meta/alto-redist/keys[1]/kid")
                        && refused.getMessage().contains(genuine.kid()), refused.getMessage());
            }
        }
    }

    private static String json(Jwk k) {
        return "{\"kty\":\"" + k.kty() + "\",\"crv\":\"" + k.crv() + "\",\"x\":\"" + k.x() + "\",\"kid\":\"" + k.kid()
                + "\",\"alg\":\"" + k.alg() + "\"}";
    }
}
