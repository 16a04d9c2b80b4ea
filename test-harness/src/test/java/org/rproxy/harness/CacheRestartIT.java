package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.StreamingPull;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.harness.scenario.CacheProcess;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A client following through the shipped nginx when nginx restarts (stopped: its connections
 * end; started again on its port): the stream nginx ended is followed on at the origin (nginx
 * refusing meanwhile), and once nginx is no longer recently failing at the client's clock, the
 * client moves back to nginx's stream and leaves the origin's; changes keep arriving throughout.
 * The origin lists nginx as its proxy; nginx passes to a pull proxy with its own update stream.
 * Skipped when nginx is not installed.
 */
class CacheRestartIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Past any failure window of the client's ({@code SourceHealth}: 10 min at most); the maps last 1 h. */
    private static final Duration PAST_FAILURES = Duration.ofMinutes(10).plusSeconds(1);

    @TempDir
    Path dir;
    private final List<AutoCloseable> started = new ArrayList<>();

    @Test
    void aClientFollowsOnAtTheOriginWhileNginxRestartsAndMovesBackToNginxAfter() throws Exception {
        Path nginxExe = CacheProcess.executable("nginx").orElse(null);
        assumeTrue(nginxExe != null, "nginx is not installed");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        int nginxPort = CacheProcess.freePort();
        String nginxBase = "http://127.0.0.1:" + nginxPort;
        // heartbeats every 0.5 s, so that the client may take a stream silent for 2 s for dead
        UpdatePublisher publisher = closeLater(new UpdatePublisher(UpdateStreamConfig.defaults()
                .withHeartbeat(Duration.ofMillis(500))));
        Origin origin = closeLater(Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(2), List.of(nginxBase), "restart-it-origin", null),
                Clock.systemUTC(), publisher));
        ProxyConfig pc = Proxies.config("behind-nginx", origin.baseUri(), pub);
        StreamingPull pull = closeLater(StreamingPull.start(pc, StreamingPull.streamConfig(pc)
                .withHeartbeat(Duration.ofMillis(500)), Clock.systemUTC()));
        PushTree.await(WAIT, "pull proxy ready", () -> pull.pull().notReadyBecause() == null);
        String upstream = pull.pull().baseUri().replace("http://", "");
        Path conf = TestPaths.repo().resolve("conf");
        CacheProcess nginx = CacheProcess.shippedNginx("nginx-1", nginxExe, conf, dir.resolve("nginx-1"), nginxPort,
                upstream);
        started.add(0, nginx);

        MutableClock clock = MutableClock.now();
        AltoClient client = closeLater(AltoClient.bootstrap(ClientOptions.of(URI.create(origin.baseUri()),
                KeyPin.ofKeyId(origin.keyId())).withClock(clock).withClientAddress("128.36.1.5")
                .withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))));
        client.refreshMaps();
        HeardUpdates heard = new HeardUpdates();
        closeLater(client.follow(heard));
        Optional<String> nginxStream = Optional.of(nginxBase + "/updates");
        Optional<String> originStream = Optional.of(origin.baseUri() + "/updates");
        assertEquals(nginxStream, heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS), heard::toString);
        assertEquals(0, publisher.stats().subscribers(), "the client's stream is nginx's, the pull proxy's");

        nginx.close(); // its connections end with it; its port refuses until it is back
        assertEquals(originStream, heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS), heard::toString);
        PushTree.writeRoutingCost(maps, 61);
        heard.awaitCost(61, WAIT);

        CacheProcess again = CacheProcess.shippedNginx("nginx-2", nginxExe, conf, dir.resolve("nginx-2"), nginxPort,
                upstream);
        started.add(0, again);
        clock.advance(PAST_FAILURES);
        assertEquals(nginxStream, heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS), heard::toString);
        Eventually.await("the client's stream at the origin closed", WAIT, () -> publisher.stats().subscribers() == 0);
        PushTree.writeRoutingCost(maps, 62);
        heard.awaitCost(62, WAIT);
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        started.add(0, resource);
        return resource;
    }

    /** Stops what the test started, last first. */
    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : started) {
            c.close();
        }
    }
}
