package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.app.PushPullProxy;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.harness.scenario.CacheProcess;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A node that missed the directory introducing the next key recovers on its own (docs/origin.md,
 * "Key rotation"): after the switch (step 2) the origin signs its directory with the new key
 * ({@code alto}) and with the old one ({@code alto-2}), whose private key its keys file still
 * holds. A pull proxy and a push proxy started then, configured with the old key only, and a
 * client pinning only the old key, never saw a directory signed by the old key alone listing the
 * next: each verifies the directory with the old key's signature (the pull proxy passing both
 * signatures on to the client behind it), learns the next key from it, and verifies the
 * documents signed with it.
 * Before, the directory carried the new key's signature alone; such a node refused it as
 * UNKNOWN_KEY, and every document after it, until a person gave it the new key. Once the old key
 * is retired (step 3) a node trusting only it is refused, as retiring means. The same holds for a
 * pull proxy behind the shipped nginx that held the old directory across steps 1 and 2 (skipped
 * without nginx).
 */
class MissedKeyRecoveryIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String COST_MAP = PushTree.COST_MAP;
    private static final Pattern KEYID = OriginKeys.KEYID;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        return new OriginKeys(dir).write(name, text);
    }

    private Path keys(String entries) throws Exception {
        return new OriginKeys(dir).keys(entries);
    }

    /** The key ids of the signatures on the directory the origin serves now. */
    private static List<String> signers(Origin origin) {
        try {
            HttpResponse<byte[]> r = Proxies.get(origin.baseUri() + "/directory");
            return KEYID.matcher(String.join(", ", r.headers().allValues("signature-input"))).results()
                    .map(m -> m.group(1)).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aProxyAndAClientTrustingOnlyTheOldKeyLearnTheNextFromTheDirectoryAfterTheSwitch() throws Exception {
        SigningKey current = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        SigningKey next = SigningKey.generate(SignatureAlgorithm.ECDSA_P256_SHA256, new SecureRandom());
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        PrivateKeyFiles.write(dir.resolve("current.key"), current.toPkcs8Pem());
        PrivateKeyFiles.write(dir.resolve("next.key"), next.toPkcs8Pem());
        Path currentPub = write("current.pub", current.publicKey().toSpkiPem());
        // step 1 and 2 at once, as seen by a node that slept through step 1: the next key signs,
        // the current one is still held (its private key) and published
        Path keysFile = keys("  - file: DIR/next.key\n    signing: true\n  - file: DIR/current.key\n");
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));

        try (UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keysFile,
                     Duration.ofHours(1), Duration.ofSeconds(2), List.of(), "missed-key-it", null)
                     .withKeysPoll(OriginConfig.MIN_KEYS_POLL), Clock.systemUTC(), stream);
             PullProxy late = Proxies.start("late", origin.baseUri(), currentPub, Clock.systemUTC());
             PushPullProxy pushed = PushPullProxy.start(Proxies.config("pushed", origin.baseUri(), currentPub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            assertEquals(List.of(nxt, cur), signers(origin), "the directory signed by both keys, the signing one first");
            PushTree.await(WAIT, "the late pull proxy learns the next key from the directory",
                    () -> late.trustedKeyIds().contains(nxt));
            HttpResponse<byte[]> viaProxy = Proxies.get(late.baseUri() + COST_MAP);
            assertEquals(200, viaProxy.statusCode(), new String(viaProxy.body(), StandardCharsets.UTF_8));
            PushTree.await(WAIT, "the late push proxy learns the next key and holds the map from the stream",
                    () -> pushed.pull().trustedKeyIds().contains(nxt) && pushed.feed().held().containsKey(COST_MAP));
            HttpResponse<byte[]> viaPush = Proxies.get(pushed.baseUri() + COST_MAP);
            assertEquals(200, viaPush.statusCode(), new String(viaPush.body(), StandardCharsets.UTF_8));

            try (AltoClient behindProxy = AltoClient.bootstrap(ClientOptions.of(URI.create(late.baseUri()),
                    KeyPin.ofPem(currentPub)))) {
                assertEquals(Set.of(cur, nxt), behindProxy.trustedKeyIds(), "learnt from the directory the proxy passed on");
                assertEquals(nxt, OriginKeys.keyIdOf(behindProxy.fetch(COST_MAP)));
            }
            try (AltoClient atOrigin = AltoClient.bootstrap(ClientOptions.of(URI.create(origin.baseUri()),
                    KeyPin.ofKeyId(cur)))) {
                assertEquals(nxt, OriginKeys.keyIdOf(atOrigin.fetch(COST_MAP)));
            }

            // 3. Retire the old key: the directory is signed by the new one alone.
            keys("  - file: DIR/next.key\n    signing: true\n");
            PushTree.await(WAIT, "the directory signed by the new key alone", () -> signers(origin).equals(List.of(nxt)));
            try (PullProxy stranded = Proxies.start("stranded", origin.baseUri(), currentPub, Clock.systemUTC())) {
                assertThrows(ClientException.class, () -> AltoClient.bootstrap(ClientOptions.of(
                        URI.create(origin.baseUri()), KeyPin.ofKeyId(cur))).close(), "a client pinning the retired key");
                HttpResponse<byte[]> refused = Proxies.get(stranded.baseUri() + COST_MAP);
                assertTrue(refused.statusCode() >= 500, "a proxy trusting the retired key alone serves nothing: "
                        + refused.statusCode());
                assertEquals(Set.of(cur), stranded.trustedKeyIds());
                assertTrue(late.trustedKeyIds().contains(nxt), "the proxy that learnt the next key keeps it");
            }
        }
    }
    /**
     * The operator's case: a pull proxy behind the shipped nginx, trusting only the old key. The
     * origin publishes the next key and switches to it within a fraction of a second, while nginx
     * still holds the directory from before (for its {@code max-age}), so the proxy never sees a
     * directory listing the next key before the switch. Once nginx fetches again, the proxy gets
     * the directory signed by both keys, learns the next one, and serves the documents it signs.
     * Before, it refused that directory (signed by the next key alone) and every document after
     * it, for good.
     */
    @Test
    void aPullProxyBehindAnHttpCacheThatHeldTheOldDirectoryAcrossTheSwitchRecovers() throws Exception {
        Path nginxExe = CacheProcess.executable("nginx").orElse(null);
        assumeTrue(nginxExe != null, "nginx is not installed: the HTTP cache case not checked");
        SigningKey current = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        String nxt = next.publicKey().keyId();
        PrivateKeyFiles.write(dir.resolve("current.key"), current.toPkcs8Pem());
        PrivateKeyFiles.write(dir.resolve("next.key"), next.toPkcs8Pem());
        Path currentPub = write("current.pub", current.publicKey().toSpkiPem());
        Path keysFile = keys("  - file: DIR/current.key\n    signing: true\n");
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keysFile,
                Duration.ofHours(1), Duration.ofSeconds(5), List.of(), "missed-key-cache-it", null)
                .withKeysPoll(OriginConfig.MIN_KEYS_POLL), Clock.systemUTC());
             CacheProcess nginx = CacheProcess.shippedNginx("nginx-rotation", nginxExe, TestPaths.repo().resolve("conf"),
                     dir.resolve("nginx"), CacheProcess.freePort(), origin.baseUri().replace("http://", ""));
             PullProxy behind = Proxies.start("behind-nginx", nginx.base(), currentPub, Clock.systemUTC())) {
            PushTree.await(WAIT, "the proxy behind nginx serves the cost map",
                    () -> status(behind.baseUri() + COST_MAP) == 200);
            // 1 and 2 at once, well within the directory's max-age that nginx holds it for
            keys("  - file: DIR/current.key\n    signing: true\n  - file: DIR/next.key\n");
            PushTree.await(WAIT, "the next key published", () -> origin.publishedKeyIds().size() == 2);
            keys("  - file: DIR/current.key\n  - file: DIR/next.key\n    signing: true\n");
            PushTree.await(WAIT, "the origin signs with the next key", () -> nxt.equals(origin.keyId()));
            // nginx holds the directory for its max-age (5 s), then serves it stale once while it fetches
            PushTree.await(WAIT.multipliedBy(2), "the proxy behind nginx learns the next key",
                    () -> behind.trustedKeyIds().contains(nxt));
            PushTree.await(WAIT, "the proxy behind nginx serves the cost map signed with the next key", () -> {
                try {
                    HttpResponse<byte[]> r = Proxies.get(behind.baseUri() + COST_MAP);
                    return r.statusCode() == 200
                            && r.headers().firstValue("signature-input").orElse("").contains("keyid=\"" + nxt + "\"");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    private static int status(String url) {
        try {
            return Proxies.get(url).statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
