package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.app.PushPullProxy;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * Push mode in the middle of a key rotation (docs/origin.md, "Key rotation"), with proxies
 * configured with the old key only. Restarted between steps 2 and 3 (the origin signs with the
 * next key and still holds the old one, so its directory carries both keys' signatures), a push
 * proxy ({@code proxy --mode push}) and a pull proxy under it (reading from it) each read the
 * directory first, verify it with the old key's signature, learn the next key from it and serve
 * the maps signed with it, refusing nothing on the way ({@code rproxy_push_updates{result="rejected"}},
 * {@code rproxy_verification_failures_total{reason="unknown_key"}}); that held before this test
 * was written, which keeps it so. A running push proxy that missed the next key's publication
 * takes the switch without refusing an update (it did not: see that test). After step 3 a push
 * proxy trusting the old key alone says why it serves nothing.
 */
class PushMidRotationIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String COST_MAP = PushTree.COST_MAP;

    @TempDir
    Path dir;

    private OriginKeys files;
    private String nxt;
    private Path oldPub;

    /** The old key and the next, both private keys in the folder, and the old key's public key. */
    @BeforeEach
    void keys() throws Exception {
        SigningKey old = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        nxt = next.publicKey().keyId();
        PrivateKeyFiles.write(dir.resolve("old.key"), old.toPkcs8Pem());
        PrivateKeyFiles.write(dir.resolve("next.key"), next.toPkcs8Pem());
        files = new OriginKeys(dir);
        oldPub = files.write("old.pub", old.publicKey().toSpkiPem());
    }

    /** An origin on the sample maps streaming on {@code stream}, with a keys file of {@code entries}, read every 100 ms. */
    private Origin origin(String entries, UpdatePublisher stream) throws Exception {
        Path keysFile = files.keys(entries);
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        return Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keysFile,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "push-mid-rotation-it", null)
                .withKeysPoll(OriginConfig.MIN_KEYS_POLL), Clock.systemUTC(), stream);
    }

    /** A push proxy ({@code proxy --mode push}) named {@code name} following {@code upstream}, trusting the old key only. */
    private PushPullProxy pushProxy(String name, String upstream) {
        return PushPullProxy.start(Proxies.config(name, upstream, oldPub).withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC());
    }

    @Test
    void aPushProxyAndAPullProxyUnderItRestartedAfterTheSwitchLearnTheNextKeyAndRefuseNothing() throws Exception {
        // after step 2: the next key signs, the old one is still held and signs the directory too
        try (UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = origin("  - file: DIR/next.key\n    signing: true\n  - file: DIR/old.key\n", stream)) {
            for (int start = 1; start <= 2; start++) {
                String round = "start " + start + ": ";
                try (PushPullProxy edge = pushProxy("edge-" + start, origin.baseUri());
                     PullProxy leaf = Proxies.start("leaf-" + start, edge.baseUri(), oldPub, Clock.systemUTC())) {
                    PushTree.await(WAIT, round + "the push proxy holds the directory and the map from the stream",
                            () -> edge.feed().held().keySet().containsAll(List.of("/directory", COST_MAP)));
                    assertEquals(true, edge.pull().trustedKeyIds().contains(nxt), round + "the push proxy learnt the next key");
                    assertSignedBy(nxt, edge.baseUri(), round + "the push proxy");
                    assertSignedBy(nxt, leaf.baseUri(), round + "the pull proxy under it");
                    assertEquals(true, leaf.trustedKeyIds().contains(nxt), round + "the pull proxy learnt the next key");
                    assertEquals(0, edge.feed().stats().rejected(), round + "updates the push proxy refused");
                    assertEquals(0.0, unknownKey(edge.pull()), round + "refused at the push proxy as signed by an unknown key");
                    assertEquals(0.0, unknownKey(leaf), round + "refused at the pull proxy as signed by an unknown key");
                }
            }
        }
    }

    /**
     * A push proxy following the origin's stream that never saw the next key published (steps 1
     * and 2 at once, as the origin's keys poll may see them) takes every document the switch
     * re-signs: the stream sends the new directory, signed by both keys, before the documents
     * signed with the next key. Before, the documents went first and were refused
     * ({@code UNKNOWN_KEY}, a WARN each), then re-added and taken once the directory had come.
     */
    @Test
    void aPushProxyThatMissedThePublicationTakesTheSwitchFromTheStream() throws Exception {
        try (UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = origin("  - file: DIR/old.key\n    signing: true\n", stream);
             PushPullProxy edge = pushProxy("edge", origin.baseUri())) {
            PushTree.await(WAIT, "the push proxy holds the map from the stream",
                    () -> edge.feed().held().containsKey(COST_MAP));
            // steps 1 and 2 at once: the origin never published the next key before signing with it
            files.keys("  - file: DIR/next.key\n    signing: true\n  - file: DIR/old.key\n");
            PushTree.await(WAIT, "the origin signs with the next key", () -> nxt.equals(origin.keyId()));
            PushTree.await(WAIT, "the push proxy holds the map signed by the next key", () -> String.valueOf(
                    edge.feed().held().get(COST_MAP).identity().header("signature-input").orElse("")).contains(nxt));
            assertSignedBy(nxt, edge.baseUri(), "the push proxy");
            assertEquals(0, edge.feed().stats().rejected(), "updates the push proxy refused: " + edge.feed().stats());
            assertEquals(0.0, unknownKey(edge.pull()), "refused at the push proxy as signed by an unknown key");
        }
    }

    /**
     * After step 3 a push proxy that trusts the old key alone verifies nothing, as retiring means:
     * {@code /readyz} names the key it lacks, and its pull half's log says what to do.
     */
    @Test
    void aPushProxyTrustingOnlyARetiredKeySaysWhy() throws Exception {
        try (UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = origin("  - file: DIR/next.key\n    signing: true\n", stream);
             CapturedLogs logs = CapturedLogs.ofRoot();
             PushPullProxy stranded = pushProxy("stranded", origin.baseUri())) {
            // /readyz: the stream's directory does not verify, and the pull half holds none
            PushTree.await(WAIT, "not ready, naming the key it lacks",
                    () -> String.valueOf(stranded.notReadyBecause()).contains("UNKNOWN_KEY keyid " + nxt));
            String line = logs.await(e -> e.getFormattedMessage().contains("UNKNOWN_KEY"), WAIT).getFormattedMessage();
            logs.await(e -> e.getFormattedMessage().contains("keyid " + nxt) && e.getFormattedMessage().contains("upstream.trust")
                    && e.getFormattedMessage().contains("restart"), WAIT); // the pull half says what to do
            assertEquals(true, line.contains(nxt), line);
        }
    }

    /** Answers {@code 200} for the cost map at {@code base}, signed by {@code keyId}. */
    private static void assertSignedBy(String keyId, String base, String who) throws Exception {
        HttpResponse<byte[]> r = Proxies.get(base + COST_MAP);
        assertEquals(200, r.statusCode(), who + ": " + new String(r.body(), StandardCharsets.UTF_8));
        String input = r.headers().firstValue("signature-input").orElse("");
        assertEquals(true, input.contains("keyid=\"" + keyId + "\""), who + ": signed by the next key: " + input);
    }

    private static double unknownKey(PullProxy proxy) {
        return Proxies.count(proxy.registry(), "rproxy.verification.failures", "reason", "unknown_key");
    }
}
