package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.testing.Eventually;

/**
 * An update stream that leaves the client with a network map and a cost map that do not fit (a
 * cost map whose {@code dependent-vtags} names another network map version): a proxy whose
 * stream sends the origin's new network map and never the cost map on it, or the new cost map
 * and never its network map, each document genuine and validly signed ({@link FrozenProxy}, a
 * real publisher streaming what it is handed). The client never answers from the two, nor from
 * the new one alone: it keeps answering from the last pair that fit, tells no change until maps
 * fit again, leaves that stream once they have not fit for its read timeout, and fetches what
 * fits (the map behind, from another source: here the origin), then follows another stream; a
 * client just started, holding no maps, recovers alike.
 * A real signing origin with a real update stream publisher, on loopback.
 */
class MismatchedStreamTest {
    /** In the first network map 128.36.2.7 is in PID3, in the second in PID1. */
    private static final String MOVED = "128.36.2.7";
    private static final String TO = "130.132.3.9";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    private FrozenProxy hostile;
    private LocalOrigin origin;
    /** A client asking the origin alone, to take genuine copies of each version from. */
    private AltoClient fromOrigin;

    @BeforeEach
    void start() throws Exception {
        hostile = started.add(new FrozenProxy(Duration.ofMillis(500))); // live: heartbeats well within the read timeout
        origin = started.add(LocalOrigin.startStreaming(dir, List.of(hostile.base())));
        fromOrigin = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withPolicy((proxies, context) -> List.of())));
        // the first version everywhere
        hostile.hold(Map.of(AnswerEngine.DIRECTORY, fromOrigin.fetch(AnswerEngine.DIRECTORY).representation(),
                LocalOrigin.NETWORK_MAP, fromOrigin.fetch(LocalOrigin.NETWORK_MAP).representation(),
                LocalOrigin.COST_MAP, fromOrigin.fetch(LocalOrigin.COST_MAP).representation()));
    }

    @Test
    void aNewNetworkMapStreamedWithoutItsCostMapKeepsTheLastPairThatFitThenFetchesTheCostMap() throws Exception {
        VerifiedDocument oldCosts = fromOrigin.fetch(LocalOrigin.COST_MAP);
        AltoClient c = following();
        HeardUpdates heard = follow(c);

        changeNetworkMap(oldCosts);
        hostile.hold(Map.of(LocalOrigin.NETWORK_MAP, fromOrigin.fetch(LocalOrigin.NETWORK_MAP).representation()));

        assertRecovered(c, heard, true);
    }

    @Test
    void aNewCostMapStreamedWithoutItsNetworkMapKeepsTheLastPairThatFitThenFetchesTheNetworkMap() throws Exception {
        VerifiedDocument oldCosts = fromOrigin.fetch(LocalOrigin.COST_MAP);
        AltoClient c = following();
        HeardUpdates heard = follow(c);

        changeNetworkMap(oldCosts);
        hostile.hold(Map.of(LocalOrigin.COST_MAP, fromOrigin.fetch(LocalOrigin.COST_MAP).representation()));

        assertRecovered(c, heard, true);
    }

    @Test
    void aClientHoldingNoMapsFollowingMapsThatDoNotFitFetchesTheOneBehind() throws Exception {
        VerifiedDocument oldCosts = fromOrigin.fetch(LocalOrigin.COST_MAP);
        changeNetworkMap(oldCosts);
        hostile.hold(Map.of(LocalOrigin.NETWORK_MAP, fromOrigin.fetch(LocalOrigin.NETWORK_MAP).representation()));
        // a client just started follows at once: the hostile proxy streams it the new network map and the old cost map
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(READ_TIMEOUT)));
        HeardUpdates heard = follow(c);

        // the new network map's answers without costs may come first (it is held before a cost map
        // is); never answers from the old cost map: any answers with costs are of maps that fit
        assertRecovered(c, heard, false);
    }

    /** A client with the first version's answers (from the hostile proxy, first in its order). */
    private AltoClient following() {
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(READ_TIMEOUT)));
        LocalAnswers first = c.refreshMaps();
        assertEquals(Optional.of("PID3"), first.pid(MOVED));
        assertEquals(15.0, first.cost(MOVED, TO).orElseThrow(), 0.0);
        return c;
    }

    /** Follows at the hostile proxy's stream. */
    private HeardUpdates follow(AltoClient c) throws InterruptedException {
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(Sources.at(hostile.uri(), "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard::toString);
        return heard;
    }

    /**
     * Until answers of the new network map with their costs are told (30 s at most), every answers
     * told and held have costs (when {@code costsThroughout}: a client that had some), from maps
     * that fit; then the hostile proxy's stream is not followed.
     */
    private void assertRecovered(AltoClient c, HeardUpdates heard, boolean costsThroughout) throws InterruptedException {
        List<String> told = new ArrayList<>();
        LocalAnswers recovered = null;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (recovered == null && System.nanoTime() < end) {
            LocalAnswers held = c.answers();
            assertTrue(held == null || !costsThroughout || hasCosts(held),
                    () -> "the client held answers without costs: " + held.versions() + "; " + heard);
            LocalAnswers a = heard.changes.poll(50, TimeUnit.MILLISECONDS);
            if (a != null) {
                told.add(a.versions().toString());
                assertTrue(!costsThroughout || hasCosts(a), () -> "answers without costs were told: " + told + "; " + heard);
                recovered = a.pid(MOVED).equals(Optional.of("PID1")) && hasCosts(a) ? a : null;
            }
        }
        assertNotNull(recovered, () -> "the new version's answers told within 30 s: " + told + "; " + heard);
        assertEquals(5.0, recovered.cost(MOVED, TO).orElseThrow(), 0.0, "the new cost map's cost");
        assertEquals(2, recovered.versions().size(), recovered.versions().toString());
        assertEquals(Optional.of("PID1"), c.answers().pid(MOVED));
        assertTrue(heard.invalid().stream().anyMatch(e -> e.getMessage().contains("do not fit together")),
                () -> "the listener was told why the stream was left: " + heard);
        assertFalse(c.health().coolingDown(hostile.uri()), () -> "no source cooled down for it: " + c.health());
        Eventually.await("another stream followed", Duration.ofSeconds(30),
                () -> heard.following.stream().anyMatch(f -> f.equals(Optional.of(Sources.at(origin.uri(), "/updates").toString()))));
    }

    private static boolean hasCosts(LocalAnswers a) {
        try {
            a.cost(MOVED, TO);
            return true;
        } catch (IllegalArgumentException noCostMap) {
            return false;
        }
    }

    /** Moves PID1 to 128.36.2.0/24 in the maps folder, and waits until the origin serves a cost map on it. */
    private void changeNetworkMap(VerifiedDocument oldCosts) throws Exception {
        Files.writeString(origin.maps.resolve("default-network-map.json"), LocalOrigin.networkMap("128.36.2.0/24"));
        Eventually.await("the origin serves the new version", Duration.ofSeconds(30), () ->
                fromOrigin.fetch(LocalOrigin.NETWORK_MAP).representation().identity().body().asUtf8().contains("128.36.2.0/24")
                        && !fromOrigin.fetch(LocalOrigin.COST_MAP).etag().equals(oldCosts.etag()));
    }
}
