package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A document that verifies but is not valid at the client's clock is a time problem, not
 * tampering: it is refused ({@link ClientException.OutsideValidity}), never taken, but its source
 * does not cool down for it; when every source's copy is so, the client says its clock looks
 * wrong ({@link ClientException.ClockSkew}); when another source's copy is valid, the stale one
 * counts as failing. Real signing origins on loopback (validity 1 h), clients on skewed clocks.
 */
class ClockSkewTest {
    private static final String COSTS = "128.36.1.5";

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aClientWhoseClockIsBehindTheOriginsIsToldSoAtBootstrap() throws Exception {
        LocalOrigin origin = started.add(LocalOrigin.start(dir, List.of()));
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10));
        ClientException.ClockSkew e = assertThrows(ClientException.ClockSkew.class, () -> AltoClient.bootstrap(
                ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withClock(behind)));
        assertTrue(e.behind(), e.getMessage());
        assertTrue(e.offBy().compareTo(Duration.ofMinutes(8)) > 0 && e.offBy().compareTo(Duration.ofMinutes(10)) < 0,
                e.getMessage());
        assertTrue(Duration.between(e.localTime(), behind.instant()).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "names the client's clock: " + e.getMessage());
        ClientException.OutsideValidity only = assertInstanceOf(ClientException.OutsideValidity.class,
                e.attempts().get(0));
        assertTrue(only.notYetValid());
        assertTrue(e.getMessage().contains("clock looks wrong"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*by at least [89]m\\d{1,2}s\\).*"), "written as 9m59s: " + e.getMessage());
    }

    @Test
    void aClockAheadOfEveryCopyIsToldAndCoolsNoSourceDown() throws Exception {
        ScriptedProxy proxy = started.add(new ScriptedProxy());
        LocalOrigin origin = started.add(LocalOrigin.start(dir, List.of(proxy.base())));
        MutableClock clock = MutableClock.now();
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock)));
        proxy.serve(LocalOrigin.COST_MAP, c.fetch(LocalOrigin.COST_MAP).representation());

        clock.advance(Duration.ofHours(2)); // past every copy's expiry (1 h)
        ClientException.ClockSkew e = assertThrows(ClientException.ClockSkew.class, () -> c.fetch(LocalOrigin.COST_MAP));
        assertFalse(e.behind(), e.getMessage());
        assertEquals(2, e.attempts().size(), e.getMessage());
        for (ClientException a : e.attempts()) {
            assertFalse(assertInstanceOf(ClientException.OutsideValidity.class, a).notYetValid(), a.getMessage());
        }
        assertFalse(c.health().coolingDown(proxy.uri()), "no source is blamed for the client's clock");
        assertEquals(0, c.health().recentFailures(proxy.uri()));
        assertEquals(0, c.health().recentFailures(origin.uri()));

        // the clock set right: the proxy is asked first again, at once
        clock.advance(Duration.ofHours(-2));
        VerifiedDocument d = c.fetch(LocalOrigin.COST_MAP);
        assertEquals(Sources.at(proxy.uri(), LocalOrigin.COST_MAP), d.source());
    }

    @Test
    void aStaleSourceIsRefusedAndCountsAsFailingButDoesNotCoolDownWhenAnotherIsValid() throws Exception {
        Path key = key();
        // a source whose copies expired an hour ago: the origin's key, signing two hours behind;
        // started first, on a port of its own, for the origin to list it
        Origin staleSource = origin("stale-maps", key, 0, List.of(), Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)),
                false);
        URI staleUri = URI.create(staleSource.baseUri() + "/");
        Origin origin = origin("maps", key, 0, List.of(staleUri.toString()), Clock.systemUTC(), false);
        URI originUri = URI.create(origin.baseUri());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))));
        assertEquals(List.of(staleUri, originUri), c.sourceOrder());

        VerifiedDocument d = c.fetch(LocalOrigin.COST_MAP);
        assertEquals(Sources.at(originUri, LocalOrigin.COST_MAP), d.source());
        ClientException.OutsideValidity stale = assertInstanceOf(ClientException.OutsideValidity.class,
                d.refused().get(0));
        assertFalse(stale.notYetValid());
        assertFalse(c.health().coolingDown(staleUri), "not tampering: no cool-down");
        assertEquals(1, c.health().recentFailures(staleUri), "but out of step with a valid copy: failing");
        assertEquals(0, c.health().recentFailures(originUri));
    }

    @Test
    void anUpdateAheadOfTheClientsClockLeavesTheStreamBlamesNoSourceAndSaysTheClockLooksWrong() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Origin origin = origin("maps", key(), 0, List.of(), Clock.systemUTC(), true);
        URI originUri = URI.create(origin.baseUri());
        MutableClock clock = MutableClock.now();
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withPollInterval(Duration.ofSeconds(1))));
        assertEquals(5.0, c.refreshMaps().cost(COSTS, "130.132.3.9").orElseThrow());
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(Sources.at(originUri, "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard::toString);

        clock.advance(Duration.ofMinutes(-10)); // the client's clock falls behind: the next update is "from the future"
        LocalOrigin.writeCosts(maps, 7);
        ClientException.OutsideValidity update = heard.await(ClientException.OutsideValidity.class);
        assertTrue(update.notYetValid(), update.getMessage());
        ClientException.ClockSkew skew = heard.await(ClientException.ClockSkew.class);
        assertTrue(skew.behind(), skew.getMessage());
        assertFalse(c.health().coolingDown(originUri), "the origin is not taken for a tampering source");
        assertEquals(0, c.health().recentFailures(originUri));
        assertEquals(5.0, c.answers().cost(COSTS, "130.132.3.9").orElseThrow(), "nothing out of its validity is taken");

        clock.advance(Duration.ofMinutes(10)); // set right: the change is taken
        heard.awaitCost(7);
    }

    private Path key() throws IOException {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        return Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
    }

    /** A signing origin on {@code port} (0: any) with its maps in {@code name}, on {@code clock}, streaming or not. */
    private Origin origin(String name, Path key, int port, List<String> proxies, Clock clock, boolean streaming)
            throws IOException {
        Path maps = Files.createDirectories(dir.resolve(name));
        Files.writeString(maps.resolve("default-network-map.json"), LocalOrigin.networkMap("128.36.1.0/24"));
        LocalOrigin.writeCosts(maps, 5);
        UpdatePublisher publisher = streaming ? started.add(new UpdatePublisher(UpdateStreamConfig.defaults())) : null;
        return started.add(Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", port), maps, key,
                Duration.ofHours(1), Duration.ofSeconds(60), proxies, "clock-skew-test", null), clock, publisher));
    }
}
