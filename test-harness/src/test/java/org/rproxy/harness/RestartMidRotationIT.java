package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * A pull proxy restarted between steps 2 and 3 of a key rotation (docs/origin.md, "Key rotation"),
 * configured with the old key only, whose prefetches are signed by the next key: it reads the
 * directory first, which the old key's signature lets it verify and which teaches it the next key,
 * and only then its other prefetches, so none of them is refused as signed by an unknown key.
 * Before, the prefetches raced the directory: at every start some were refused
 * ({@code rproxy_verification_failures_total{reason="unknown_key"}} counted them, and a WARN said
 * so) and fetched again a retry pause later.
 */
class RestartMidRotationIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> PREFETCH = List.of("/capability", PushTree.COST_MAP,
            "/networkmap/default-network-map", "/directory");

    @TempDir
    Path dir;

    @Test
    void aProxyTrustingOnlyTheOldKeyStartsWithoutRefusingWhatTheNextKeySigned() throws Exception {
        OriginKeys files = new OriginKeys(dir);
        SigningKey current = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        String nxt = next.publicKey().keyId();
        PrivateKeyFiles.write(dir.resolve("current.key"), current.toPkcs8Pem());
        PrivateKeyFiles.write(dir.resolve("next.key"), next.toPkcs8Pem());
        Path currentPub = files.write("current.pub", current.publicKey().toSpkiPem());
        // after step 2: the next key signs, the old one is still held and signs the directory too
        Path keysFile = files.keys("  - file: DIR/next.key\n    signing: true\n  - file: DIR/current.key\n");
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keysFile,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "restart-mid-rotation-it", null),
                Clock.systemUTC())) {
            for (int restart = 1; restart <= 3; restart++) {
                ProxyConfig c = Proxies.config("restarted-" + restart, origin.baseUri(), currentPub);
                try (PullProxy proxy = PullProxy.start(c.withUpstream(c.upstream().withPrefetch(PREFETCH)),
                        Clock.systemUTC())) {
                    PushTree.await(WAIT, "the restarted proxy holds every prefetched document",
                            () -> proxy.heldSignedTargets().containsAll(PREFETCH));
                    assertEquals(true, proxy.trustedKeyIds().contains(nxt), "learnt the next key");
                    assertEquals(0.0, Proxies.count(proxy.registry(), "rproxy.verification.failures",
                            "reason", "unknown_key"), "start " + restart + ": prefetches refused as signed by an unknown key");
                }
            }
        }
    }
}
