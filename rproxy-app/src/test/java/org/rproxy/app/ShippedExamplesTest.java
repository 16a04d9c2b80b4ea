package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.Eventually;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

import picocli.CommandLine;

/**
 * The example files of {@code conf/} that the guides tell an operator to start from work as
 * shipped: each is changed only where it names this machine's files and addresses (the origin's
 * public key, the upstream, a DHT key and storage folder), then {@code rproxy check} finds no
 * problem, and the proxy examples start a real node of their mode and name that serves a map
 * {@code rproxy fetch} verifies. Parsing alone (the harness's and the overlay module's tests) would
 * miss a file that reads but cannot start, or a check that refuses what the guides ship.
 */
class ShippedExamplesTest {
    private static final Path CONF = Path.of("../conf");

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"pull.yaml, PULL, edge-1", "push.yaml, PUSH, edge-push-1"})
    void aProxyExampleChecksCleanAndStartsAProxyServingVerifiedMaps(String example, ProxyConfig.Mode mode, String name)
            throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        // An origin as `rproxy origin` runs it: with its update stream, which a push proxy subscribes to.
        try (UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                     Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "examples", null), Clock.systemUTC(), stream)) {
            String text = Files.readString(CONF.resolve(example));
            assertTrue(text.contains("- keys/origin.pub") && text.contains("url: http://127.0.0.1:8181"),
                    "the example names the key and the upstream this test replaces: " + example);
            Path file = Files.writeString(dir.resolve(example), text.replace("- keys/origin.pub", "- " + pub)
                    .replace("url: http://127.0.0.1:8181", "url: " + origin.baseUri()));

            // The port is the one thing an option changes: the example's may be taken on this machine.
            CommandRun check = CommandRun.of("check", "--config", file.toString(), "--listen", "127.0.0.1:0");
            assertEquals(0, check.exit(), check.toString());
            assertTrue(check.out().contains(file + ": OK (" + mode.toString().toLowerCase() + " proxy " + name + " on "),
                    check.toString());

            ProxyCommand command = new ProxyCommand();
            new CommandLine(command).parseArgs("--config", file.toString(), "--listen", "127.0.0.1:0");
            ProxyConfig c = ProxyFiles.startable(command.settings(), command.sources(), null);
            assertEquals(mode, c.mode());
            assertEquals(name, c.name());
            if (mode == ProxyConfig.Mode.PUSH) {
                try (PushPullProxy proxy = PushPullProxy.start(c, Clock.systemUTC())) {
                    Eventually.await("the push proxy ready", Duration.ofSeconds(60), () -> proxy.notReadyBecause() == null);
                    servesVerified(proxy.baseUri(), pub, name);
                }
            } else {
                try (StreamingPull node = StreamingPull.start(c, StreamingPull.streamConfig(c), Clock.systemUTC())) {
                    Eventually.await("the pull proxy ready", Duration.ofSeconds(60),
                            () -> node.pull().notReadyBecause() == null);
                    servesVerified(node.pull().baseUri(), pub, name);
                }
            }
        }
    }

    private static void servesVerified(String base, Path pub, String name) {
        CommandRun fetch = CommandRun.of("fetch", base + "/costmap/routingcost-map", "--trust", pub.toString());
        assertEquals(0, fetch.exit(), fetch.toString());
        assertTrue(fetch.out().startsWith("VALID routingcost-map ") && fetch.out().contains("via=1.1 " + name),
                fetch.toString());
    }

    @Test
    void theKeysFileExampleChecksCleanWithTheKeyItNamesMade() throws Exception {
        CommandRun keygen = CommandRun.of("keygen", "--out", dir.resolve("K").toString());
        assertEquals(0, keygen.exit(), keygen.toString());
        String text = Files.readString(CONF.resolve("origin-keys.yaml"));
        assertTrue(text.contains("- file: K/origin.key"), "the example names the key this test makes");
        Path keys = Files.writeString(dir.resolve("origin-keys.yaml"),
                text.replace("- file: K/origin.key", "- file: " + dir.resolve("K/origin.key")));
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        CommandRun check = CommandRun.of("check", "--maps", maps.toString(), "--key", keys.toString());
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains(keys + ": OK (key id "), check.toString());
    }

    @Test
    void theOverlayExampleChecksCleanOnceItsKeyAndStorageAreThisMachines() throws Exception {
        CommandRun keygen = CommandRun.of("keygen", "--out", dir.resolve("dht").toString());
        assertEquals(0, keygen.exit(), keygen.toString());
        String text = Files.readString(CONF.resolve("overlay.yaml"));
        assertTrue(text.contains("key: /etc/rproxy/dht-key.pem") && text.contains("storage: /var/lib/rproxy/push/overlay"),
                "the example names the key and storage this test replaces");
        Path overlay = Files.writeString(dir.resolve("overlay.yaml"),
                text.replace("key: /etc/rproxy/dht-key.pem", "key: " + dir.resolve("dht/origin.key"))
                        .replace("storage: /var/lib/rproxy/push/overlay", "storage: " + dir.resolve("storage")));
        Path proxy = Files.writeString(dir.resolve("pull.yaml"), "upstream:\n  url: http://127.0.0.1:8181\n  trust: ['"
                + SignedOrigin.anyKey(dir) + "']\n");
        CommandRun check = CommandRun.of("check", "--config", proxy.toString(), "--overlay", overlay.toString());
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains(overlay + ": OK (overlay: DHT on UDP port 6881, BitTorrent on TCP port 6891,"),
                check.toString());
    }
}
