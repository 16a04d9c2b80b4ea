package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.UpdateFollower;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * The key rotation of docs/origin.md, step by step, while clients read through a two-level tree (origin →
 * pull proxy → push proxy → client library): the origin publishes its next key beside the
 * current one, switches signing to it, then retires the old one, all by editing its keys file.
 * The proxies and the clients are configured with the old key only and learn the next from the
 * signed directory. Every read during the rotation is verified by the client library, and not
 * one is refused, nor does either proxy refuse an update or a document on the way; the documents
 * read at the end are signed with the new key.
 */
class KeyRotationIT {
    private static final Duration MAX_AGE = Duration.ofSeconds(2);
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String COST_MAP = PushTree.COST_MAP;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        return new OriginKeys(dir).write(name, text);
    }

    private Path keys(String entries) throws Exception {
        return new OriginKeys(dir).keys(entries);
    }

    @Test
    void rotatingTheOriginKeyRefusesNoResponseThroughATwoLevelTree() throws Exception {
        SigningKey current = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        PrivateKeyFiles.write(dir.resolve("current.key"), current.toPkcs8Pem()); // owner-only, as the origin asks
        PrivateKeyFiles.write(dir.resolve("next.key"), next.toPkcs8Pem());
        Path currentPub = write("current.pub", current.publicKey().toSpkiPem());
        Path keysFile = keys("  - file: DIR/current.key\n    signing: true\n");
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));

        List<Throwable> refused = new CopyOnWriteArrayList<>();
        Set<String> signers = ConcurrentHashMap.newKeySet();
        AtomicLong reads = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try (UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keysFile,
                     Duration.ofHours(1), MAX_AGE, List.of(), "rotation-it", null)
                     .withKeysPoll(OriginConfig.MIN_KEYS_POLL), Clock.systemUTC(), stream); // each edit seen within 0.1 s
             StreamingPull regional = startRegional(origin.baseUri(), currentPub);
             PushPullProxy edge = PushPullProxy.start(Proxies.config("edge", regional.pull().baseUri(), currentPub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            PushTree.await(STEP, "the edge follows the regional proxy's stream", () -> edge.feed().held().containsKey(COST_MAP));
            AltoClient client = AltoClient.bootstrap(ClientOptions.of(URI.create(edge.baseUri()), KeyPin.ofPem(currentPub)));
            // A client that only follows the edge's update stream learns the next key from the streamed directory.
            AltoClient streaming = AltoClient.bootstrap(ClientOptions.of(URI.create(edge.baseUri()),
                    KeyPin.ofKeyId(cur)));
            streaming.refreshMaps();
            List<String> streamed = new CopyOnWriteArrayList<>();
            streaming.follow(new UpdateFollower.Listener() {
                @Override
                public void changed(LocalAnswers answers) {
                }

                @Override
                public void refused(ClientException why) {
                    refused.add(why);
                }

                @Override
                public void following(URI stream) {
                    streamed.add(String.valueOf(stream));
                }
            });
            List<Future<?>> running = List.of(readers.submit(() -> read(client, stop, reads, signers, refused, true)),
                    readers.submit(() -> read(client, stop, reads, signers, refused, false)));
            PushTree.await(STEP, "reads before the rotation", () -> reads.get() > 10);

            // 1. Publish the next key; wait until every node and the client trusts it.
            keys("  - file: DIR/current.key\n    signing: true\n  - file: DIR/next.key\n");
            PushTree.await(STEP, "the next key published", () -> origin.publishedKeyIds().equals(List.of(cur, nxt)));
            PushTree.await(STEP, "the next key trusted by the tree and the client",
                    () -> regional.pull().trustedKeyIds().contains(nxt)
                            && edge.pull().trustedKeyIds().contains(nxt) && client.trustedKeyIds().contains(nxt)
                            && streaming.trustedKeyIds().contains(nxt));

            // 2. Switch signing to it; the old key stays published until its signatures expire.
            keys("  - file: DIR/current.pub\n  - file: DIR/next.key\n    signing: true\n");
            PushTree.await(STEP, "the edge serves documents signed with the next key", () -> signers.contains(nxt)
                    && nxt.equals(OriginKeys.keyIdOf(client.fetch(COST_MAP))));

            // 3. Retire the old key.
            keys("  - file: DIR/next.key\n    signing: true\n");
            PushTree.await(STEP, "the old key retired", () -> origin.publishedKeyIds().equals(List.of(nxt)));
            long before = reads.get();
            PushTree.await(STEP, "reads after the rotation", () -> reads.get() > before + 10);
            stop.set(true);
            for (Future<?> f : running) {
                f.get(STEP.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(List.of(), refused, "responses refused during the rotation");
            // nor did a proxy refuse anything on the way: the push proxy's stream, either pull half
            assertEquals(0, edge.feed().stats().rejected(), "updates the push proxy refused: " + edge.feed().stats());
            for (PullProxy p : List.of(regional.pull(), edge.pull())) {
                assertEquals(0.0, Proxies.count(p.registry(), "rproxy.verification.failures", "reason", "unknown_key"),
                        p.baseUri() + ": refused as signed by an unknown key");
            }
            assertTrue(signers.containsAll(Set.of(cur, nxt)), "read documents signed by " + signers);
            assertEquals(nxt, OriginKeys.keyIdOf(client.fetch(COST_MAP)));
            assertTrue(!streamed.isEmpty() && streamed.stream().allMatch((edge.baseUri() + "/updates")::equals),
                    "the streaming client followed the edge's stream throughout, never polling: " + streamed);
            client.close();
            streaming.close();
        } finally {
            stop.set(true);
            readers.shutdownNow();
        }
    }

    /** Reads until stopped, through the client library (which verifies each document); every refusal is kept. */
    private static void read(AltoClient client, AtomicBoolean stop, AtomicLong reads, Set<String> signers,
                             List<Throwable> refused, boolean maps) {
        while (!stop.get()) {
            try {
                if (maps) {
                    client.refreshMaps();
                } else {
                    signers.add(OriginKeys.keyIdOf(client.fetch(COST_MAP)));
                }
                reads.incrementAndGet();
            } catch (RuntimeException e) {
                refused.add(e);
            }
        }
    }

    private static StreamingPull startRegional(String origin, Path pub) {
        ProxyConfig c = Proxies.config("regional", origin, pub);
        return StreamingPull.start(c, StreamingPull.streamConfig(c), Clock.systemUTC());
    }
}
