package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.app.StreamingPull;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.UpdateFollower;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.client.VerificationFailure;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * The client library end to end: an origin (with its update stream) lists three RProxies, one
 * down, one that tampers with bodies (a relay rewriting a prefix) and one good (a pull proxy with
 * its own update stream), and a client that knows only the origin's URL and key id. Its documents
 * come from the good proxy, verified; the tampering one is refused with its reason and left
 * alone until its cool-down has passed; a change is followed through the good proxy's stream;
 * with every proxy down the origin answers; with the origin down too the error names every source.
 * The origin's max-age is 2 s, so that the pull proxy (whose stream carries what it holds)
 * revalidates its copies soon after a change.
 */
class ClientFallbackIT {
    private static final String NETWORK_MAP = "/networkmap/default-network-map";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final List<AutoCloseable> started = new ArrayList<>();

    @Test
    void theGoodProxyAnswersTheTamperingOneCoolsDownAndTheOriginComesLast() throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        Relay down = closeLater(new Relay());
        Relay tampering = closeLater(new Relay());
        Relay good = closeLater(new Relay());
        UpdatePublisher publisher = closeLater(new UpdatePublisher(UpdateStreamConfig.defaults()));
        List<String> listed = List.of(down.base(), tampering.base(), good.base());
        Origin origin = closeLater(Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(2), listed, "client-it-origin", null),
                Clock.systemUTC(), publisher));
        ProxyConfig pc = Proxies.config("good", origin.baseUri(), pub);
        StreamingPull pull = closeLater(StreamingPull.start(pc, StreamingPull.streamConfig(pc), Clock.systemUTC()));
        PushTree.await(WAIT, "pull proxy ready", () -> pull.pull().notReadyBecause() == null);
        int pullPort = URI.create(pull.pull().baseUri()).getPort();
        good.target(pullPort);
        tampering.target(pullPort);
        tampering.rewrite("130.132.3.0/24", "130.132.9.0/24");
        down.close();

        MutableClock clock = MutableClock.now();
        AltoClient client = closeLater(AltoClient.bootstrap(ClientOptions.of(URI.create(origin.baseUri()),
                KeyPin.ofKeyId(origin.keyId())).withClock(clock).withClientAddress("128.36.1.5")));
        assertEquals(listed.stream().map(URI::create).toList(), client.proxies());

        VerifiedDocument nm = client.fetch(NETWORK_MAP);
        assertEquals(URI.create(good.base() + NETWORK_MAP), nm.source(), () -> "refused: " + nm.refused());
        assertEquals(2, nm.refused().size(), nm.refused().toString());
        assertInstanceOf(ClientException.Unreachable.class, nm.refused().get(0));
        assertEquals(URI.create(down.base() + NETWORK_MAP), nm.refused().get(0).uri());
        ClientException.InvalidResponse tampered = assertInstanceOf(ClientException.InvalidResponse.class,
                nm.refused().get(1));
        assertEquals(URI.create(tampering.base() + NETWORK_MAP), tampered.uri());
        assertEquals(VerificationFailure.DIGEST_MISMATCH, tampered.failure());

        // The tampering proxy is not asked again for a while; the good one is asked first.
        List<URI> order = client.sourceOrder();
        assertEquals(List.of(URI.create(good.base()), URI.create(down.base()), URI.create(origin.baseUri())), order);
        VerifiedDocument again = client.fetch(NETWORK_MAP);
        assertTrue(again.refused().stream().noneMatch(e -> e.uri().toString().startsWith(tampering.base())),
                () -> "refused: " + again.refused());
        assertFalse(again.source().toString().startsWith(tampering.base()));
        LocalAnswers answers = client.refreshMaps();
        assertEquals(Optional.of("PID2"), answers.pid("130.132.3.9"), "the untampered map");
        assertEquals(5.0, answers.cost("128.36.1.5", "130.132.3.9").orElseThrow());
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertTrue(client.sourceOrder().contains(URI.create(tampering.base())), "after its cool-down");
        // The down proxy's failures may be old enough by now to be asked again: it fails again, and
        // is demoted again behind the good one (the tampering one is recently failing still).
        VerifiedDocument retried = client.fetch(NETWORK_MAP);
        assertEquals(URI.create(good.base() + NETWORK_MAP), retried.source(), () -> "refused: " + retried.refused());
        assertEquals(List.of(URI.create(good.base()), URI.create(down.base()), URI.create(tampering.base()),
                URI.create(origin.baseUri())), client.sourceOrder());

        followsAChange(client, good, maps);

        good.close();
        tampering.close();
        VerifiedDocument fromOrigin = client.fetch(NETWORK_MAP);
        assertEquals(URI.create(origin.baseUri() + NETWORK_MAP), fromOrigin.source(), () -> "good " + good.base()
                + ", tampering " + tampering.base() + ", down " + down.base() + ", refused " + fromOrigin.refused());
        assertEquals(3, fromOrigin.refused().size(), fromOrigin.refused().toString());

        origin.close();
        ClientException.NoSourceLeft none = assertThrows(ClientException.NoSourceLeft.class,
                () -> client.fetch(NETWORK_MAP));
        assertEquals(URI.create(origin.baseUri() + NETWORK_MAP), none.uri());
        assertEquals(4, none.attempts().size(), none.getMessage());
        for (String base : List.of(down.base(), tampering.base(), good.base(), origin.baseUri())) {
            assertTrue(none.getMessage().contains(base + NETWORK_MAP + ": unreachable"), none.getMessage());
        }
    }

    @Test
    void anUpdateStreamThatTampersIsLeftForTheNextSource() throws Exception {
        OriginWithProxy at = closeLater(OriginWithProxy.start(dir, "tampered", WAIT));
        Origin origin = at.origin;
        Relay tampering = at.relay;
        tampering.rewrite("130.132.3.0/24", "130.132.9.0/24");

        AltoClient client = closeLater(AltoClient.bootstrap(ClientOptions.of(URI.create(origin.baseUri()),
                KeyPin.ofKeyId(origin.keyId()))));
        HeardUpdates heard = new HeardUpdates();
        BlockingQueue<LocalAnswers> changes = heard.changes;
        BlockingQueue<Optional<String>> following = heard.following;
        BlockingQueue<ClientException> refused = heard.refused;
        client.follow(heard);
        assertEquals(Optional.of(tampering.base() + "/updates"), following.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(Optional.of(origin.baseUri() + "/updates"), following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                () -> "refused: " + refused);
        ClientException.InvalidResponse tampered = assertInstanceOf(ClientException.InvalidResponse.class,
                refused.stream().filter(e -> e instanceof ClientException.InvalidResponse).findFirst().orElse(null),
                refused::toString);
        assertEquals(URI.create(tampering.base() + "/updates"), tampered.uri());
        assertEquals(VerificationFailure.DIGEST_MISMATCH, tampered.failure());
        assertTrue(client.health().coolingDown(URI.create(tampering.base())));
        LocalAnswers answers = changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(answers != null, () -> "no answers; refused: " + refused);
        assertEquals(Optional.of("PID2"), answers.pid("130.132.3.9"), "the untampered map, from the origin's stream");
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        started.add(0, resource);
        return resource;
    }

    /** Stops what the test started, last first (closing twice is harmless for each). */
    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : started) {
            c.close();
        }
    }

    /** The client subscribes at the good proxy (first in its order) and a change at the origin reaches its answers. */
    private static void followsAChange(AltoClient client, Relay good, Path maps) throws Exception {
        HeardUpdates heard = new HeardUpdates();
        BlockingQueue<LocalAnswers> changes = heard.changes;
        BlockingQueue<Optional<String>> following = heard.following;
        BlockingQueue<ClientException> refused = heard.refused;
        try (UpdateFollower f = client.follow(heard)) {
            assertEquals(Optional.of(good.base() + "/updates"), following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                    () -> "refused: " + refused);
            PushTree.writeRoutingCost(maps, 77);
            long end = System.nanoTime() + WAIT.toNanos();
            LocalAnswers seen = null;
            while (System.nanoTime() < end && (seen == null || seen.cost("128.36.1.5", "130.132.3.9").orElse(0) != 77)) {
                seen = changes.poll(1, TimeUnit.SECONDS);
            }
            assertTrue(seen != null && seen.cost("128.36.1.5", "130.132.3.9").orElse(0) == 77,
                    () -> "no change within " + WAIT + "; refused: " + refused);
            assertTrue(refused.isEmpty(), refused::toString);
            assertTrue(f.running());
        }
    }
}
