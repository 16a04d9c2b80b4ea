package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
 * An update refused for a reason that is not the source's tampering (the version could not be
 * recorded in the state file; a version older than the one held) must not leave the client's
 * stream out of step with its upstream. The publisher sends each next change as a merge patch from
 * the version it last sent, whether or not the client took it; a client that patched the version
 * it holds instead rebuilt bytes that no signature covers, and blamed an honest source for
 * tampering. Real signing origins with real update stream publishers, on loopback.
 *
 * <p>The cost map's versions are made so that a patch between two of them does not turn a third
 * into the next: each change touches a cost the one before it did not.
 */
class StreamResyncTest {
    private static final String COSTS = "routingcost-map.json";

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aVersionTheStateFileCouldNotRecordIsAskedForAgainAndTheSourceIsNotBlamed() throws Exception {
        Path key = key();
        Path maps = maps("maps", 5, 10);
        Origin origin = origin(maps, key, 0, List.of());
        URI originUri = URI.create(origin.baseUri());
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withPollInterval(Duration.ofSeconds(1)).withStateFile(stateDir.resolve("alto.state"))));
        assertEquals(5.0, c.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow());
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(Sources.at(originUri, "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard.refused::toString);

        // the state file's folder goes: the next version is verified but cannot be recorded
        Files.delete(stateDir.resolve("alto.state"));
        Files.delete(stateDir.resolve("alto.state.lock"));
        Files.delete(stateDir.resolve("alto.state.directory")); // the directory kept for a bootstrap without the origin
        Files.delete(stateDir);
        nextSecond();
        writeCosts(maps, 6, 11);
        heard.await(ClientException.StateFailure.class);
        assertEquals(5.0, c.answers().cost("128.36.1.5", "130.132.3.9").orElseThrow(), "the held version stays");

        // the folder is back, and the map changes again: the stream's next update is a patch from
        // the version the client could not take (6, 11), which patched onto the one it holds (5, 10)
        // gives bytes no signature covers
        Files.createDirectories(stateDir);
        nextSecond();
        writeCosts(maps, 7, 11);
        LocalAnswers now = heard.awaitCost(7);
        assertEquals(11.0, now.cost("128.36.1.5", "0.0.0.1").orElseThrow());
        assertEquals(List.of(), heard.invalid(), "an honest source is not taken for a tampering one");
        assertFalse(c.health().coolingDown(originUri), "nor cooled down as one");
        assertTrue(Files.exists(stateDir.resolve("alto.state")), "the version taken is recorded");
    }

    @Test
    void aStaleStreamIsLeftAsARollbackNotAsTampering() throws Exception {
        Path key = key();
        // a source behind the origin: the same key (a stand-in for a proxy that has not caught up),
        // on a clock a little behind, so that its directory and network map are no newer than the
        // origin's (started in a later second on the same clock, its directory was newer, the
        // client took it from this stream, and the origin's own stream then only ever offered a
        // rollback of the directory); started first, on a port of its own, for the origin to list it
        Path lagMaps = maps("lag-maps", 5, 10);
        Origin lag = origin(lagMaps, key, 0, List.of(), Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-2)));
        URI lagUri = URI.create(lag.baseUri() + "/");
        Path originMaps = maps("origin-maps", 5, 10);
        Origin origin = origin(originMaps, key, 0, List.of(lagUri.toString()));
        URI originUri = URI.create(origin.baseUri());
        MutableClock clock = MutableClock.now();
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withPollInterval(Duration.ofSeconds(1))));
        assertEquals(List.of(lagUri), c.proxies());

        // the client holds a newer cost map than the lagging source, had from the origin
        nextSecond();
        writeCosts(originMaps, 6, 11);
        c.health().failed(lagUri, new ClientException.InvalidResponse(lagUri, "kept away for this step"));
        awaitFetched(c, 6);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(List.of(lagUri, originUri), c.sourceOrder());

        // subscribed at the lagging source first, which sends the version it has (5, 10): a rollback
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(Sources.at(lagUri, "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard.refused::toString);
        heard.await(ClientException.Rollback.class);

        // both change: the lagging source's patch is from the version it sent (5, 10), which
        // patched onto the one the client holds (6, 11) gives bytes no signature covers
        nextSecond();
        writeCosts(originMaps, 7, 10);
        writeCosts(lagMaps, 7, 10);
        LocalAnswers now = heard.awaitCost(7);
        assertEquals(10.0, now.cost("128.36.1.5", "0.0.0.1").orElseThrow());
        assertEquals(List.of(), heard.invalid(), "a stale source is not taken for a tampering one");
        clock.advance(SourceHealth.ROLLBACK_COOL_DOWN.plusSeconds(1));
        assertFalse(c.health().coolingDown(lagUri), "it cools down as a rollback, not for the tampering cool-down");
    }

    @Test
    void aVersionTakenWhileSubscribingIsNotTheBaseOfTheFirstPatch() throws Exception {
        // the stream's source holds its answer back until the client has taken a newer version
        // than the one it named when subscribing, through a fetch: the first patch is made from the
        // version named, and patched onto the one taken since it rebuilds bytes no signature covers
        HoldingRelay relay = started.add(new HoldingRelay());
        Path maps = maps("maps", 5, 10);
        Origin origin = origin(maps, key(), 0, List.of(relay.base()));
        URI originUri = URI.create(origin.baseUri());
        relay.relayTo(originUri.getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withPollInterval(Duration.ofSeconds(1))));
        assertEquals(List.of(relay.uri()), c.proxies());
        assertEquals(10.0, c.refreshMaps().cost("128.36.1.5", "0.0.0.1").orElseThrow());

        // the origin has (6, 10) when the client subscribes naming (5, 10): the first patch is {PID2: 6}
        nextSecond();
        writeCosts(maps, 6, 10);
        awaitServed(originUri, "\"PID2\":6,");
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        relay.awaitPost();

        // meanwhile the client fetches (6, 11): {PID2: 6} onto it gives (6, 11) again, not (6, 10)
        nextSecond();
        writeCosts(maps, 6, 11);
        awaitFetched(c, "0.0.0.1", 11);
        relay.release();
        assertEquals(Optional.of(Sources.at(relay.uri(), "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard.refused::toString);

        // the stream stays in step: the next change comes through it
        nextSecond();
        writeCosts(maps, 7, 11);
        LocalAnswers now = heard.awaitCost(7);
        assertEquals(11.0, now.cost("128.36.1.5", "0.0.0.1").orElseThrow());
        assertEquals(List.of(), heard.invalid(), "an honest source is not taken for a tampering one");
        assertEquals(List.of(), heard.rollbacks(), "nor for a stale one: (6, 10) was current when the client named (5, 10)");
        assertFalse(c.health().coolingDown(relay.uri()), "nor cooled down");
        assertEquals(List.of(), List.copyOf(heard.following), "the stream is never left");
    }

    private static void awaitFetched(AltoClient c, double cost) {
        awaitFetched(c, "130.132.3.9", cost);
    }

    /** Refreshes the maps until the cost from 128.36.1.5 to {@code to} is {@code cost} (30 s at most). */
    private static void awaitFetched(AltoClient c, String to, double cost) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (c.refreshMaps().cost("128.36.1.5", to).orElse(0) == cost) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError("the origin served no cost " + cost + " within 30 s");
    }

    /** Waits (30 s at most) until the origin serves a cost map containing {@code text}, without the client. */
    private static void awaitServed(URI origin, String text) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(Sources.at(origin, LocalOrigin.COST_MAP)).build();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (http.send(get, HttpResponse.BodyHandlers.ofString()).body().contains(text)) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError("the origin served no " + text + " within 30 s");
    }

    private Path key() throws IOException {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        return Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
    }

    private Path maps(String name, int pid1ToPid2, int pid1ToPid3) throws IOException {
        Path maps = Files.createDirectories(dir.resolve(name));
        Files.writeString(maps.resolve("default-network-map.json"), LocalOrigin.networkMap("128.36.1.0/24"));
        writeCosts(maps, pid1ToPid2, pid1ToPid3);
        return maps;
    }

    /** A signing origin with an update stream publisher on {@code port} (0: any). */
    private Origin origin(Path maps, Path key, int port, List<String> proxies) throws IOException {
        return origin(maps, key, port, proxies, Clock.systemUTC());
    }

    /** As {@link #origin(Path, Path, int, List)}, signing by {@code clock}. */
    private Origin origin(Path maps, Path key, int port, List<String> proxies, Clock clock) throws IOException {
        UpdatePublisher publisher = started.add(new UpdatePublisher(UpdateStreamConfig.defaults()));
        return started.add(Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", port), maps, key,
                Duration.ofHours(1), Duration.ofSeconds(60), proxies, "stream-resync-test", null),
                clock, publisher));
    }

    /** Rewrites the routing cost map with the PID1 → PID2 and PID1 → PID3 costs given. */
    private static void writeCosts(Path maps, int pid1ToPid2, int pid1ToPid3) throws IOException {
        Path tmp = maps.resolve(COSTS + ".tmp");
        Files.writeString(tmp, "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},\"cost-map\":{"
                + "\"PID1\":{\"PID2\":" + pid1ToPid2 + ",\"PID3\":" + pid1ToPid3 + "},\"PID2\":{\"PID1\":5,\"PID3\":15},"
                + "\"PID3\":{\"PID1\":20,\"PID2\":15}}}");
        Files.move(tmp, maps.resolve(COSTS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Waits for the next whole second: a version is newer than the one held only when its
     * {@code created} (whole seconds) is later.
     */
    private static void nextSecond() {
        long now = Instant.now().getEpochSecond();
        while (Instant.now().getEpochSecond() <= now) {
            LockSupport.parkNanos(10_000_000L);
        }
    }
}
