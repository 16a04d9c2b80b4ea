package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.codec.Jcs;

/**
 * An update stream may not hand the client a version older than the newest it has verified for a
 * map: a streamed update has the rollback floor a fetch has (the newest {@code created} verified,
 * the state file's records included), not only the version the client holds in memory. A proxy
 * that never caught up ({@link FrozenProxy}) streams the cost map's older version, genuine and
 * unexpired, with its signature event, to a client that knows of the newer one without holding
 * it: a client restarted with the state file that records it, or one that fetched it (a fetch
 * holds nothing for the answers). The older version is refused as a rollback, the proxy is left
 * and cools down as after a fetched rollback, and the client's first answers come from the
 * current version, streamed by the origin (a real signing origin with a real publisher).
 */
class StreamRollbackTest {
    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aStreamedVersionOlderThanTheStateFileRecordsIsRefusedAfterARestart() throws Exception {
        FrozenProxy stale = started.add(new FrozenProxy());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(stale.base())));
        Path state = dir.resolve("client.state");
        ClientOptions options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withStateFile(state);
        Versions v;
        try (AltoClient before = AltoClient.bootstrap(options)) {
            v = freezeOlder(origin, before, stale);
        }
        assertTrue(Files.readString(state).contains("\"" + LocalOrigin.COST_MAP + "\":" + v.newer.created().getEpochSecond()),
                Files.readString(state));

        // restarted, the client holds no map: it follows at once, without refreshMaps
        AltoClient restarted = started.add(AltoClient.bootstrap(options));
        assertRefusedThenCurrent(restarted, stale, origin, v);
    }

    @Test
    void aStreamedVersionOlderThanOneFetchedIsRefused() throws Exception {
        FrozenProxy stale = started.add(new FrozenProxy());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(stale.base())));
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))));
        Versions v = freezeOlder(origin, c, stale);
        assertEquals(null, c.answers(), "fetched, not held for the answers");
        assertRefusedThenCurrent(c, stale, origin, v);
    }

    /** The cost map's two versions: the one the stale proxy streams, and the one the client verified after it. */
    private record Versions(VerifiedDocument older, VerifiedDocument newer) {
    }

    /**
     * Has {@code c} fetch the cost map, then a newer version of it (from the origin: the proxy
     * holds nothing yet), and hands the proxy the older with the directory and network map current.
     */
    private static Versions freezeOlder(LocalOrigin origin, AltoClient c, FrozenProxy stale) throws Exception {
        VerifiedDocument older = c.fetch(LocalOrigin.COST_MAP);
        VerifiedDocument newer = origin.newerVersion(c, older);
        assertNotEquals(pid1ToPid2(older), pid1ToPid2(newer));
        // fetched now, so that the proxy is behind in the cost map alone
        stale.hold(Map.of(AnswerEngine.DIRECTORY, c.fetch(AnswerEngine.DIRECTORY).representation(),
                LocalOrigin.NETWORK_MAP, c.fetch(LocalOrigin.NETWORK_MAP).representation(),
                LocalOrigin.COST_MAP, older.representation()));
        return new Versions(older, newer);
    }

    private void assertRefusedThenCurrent(AltoClient c, FrozenProxy stale, LocalOrigin origin, Versions v)
            throws InterruptedException {
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(Sources.at(stale.uri(), "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard::toString);

        assertEquals(pid1ToPid2(v.newer), firstCost(heard),
                () -> "the first costs answered are the current version's, not the stale proxy's older one; " + heard);

        ClientException.Rollback r = heard.await(ClientException.Rollback.class);
        assertEquals(Sources.at(stale.uri(), "/updates"), r.uri());
        assertEquals(v.older.created(), r.offered());
        assertEquals(v.newer.created(), r.held());
        assertTrue(c.health().coolingDown(stale.uri()), "left as after a fetched rollback");
        assertEquals(Optional.of(Sources.at(origin.uri(), "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard::toString);
        assertEquals(List.of(), heard.invalid(), "a stale source is not taken for a tampering one");
        assertEquals(pid1ToPid2(v.newer), c.answers().cost("128.36.1.5", "130.132.3.9").orElseThrow());
    }

    /**
     * The cost from 128.36.1.5 to 130.132.3.9 in the first answers that have one (those from the
     * network map alone, before a cost map is held, have none); 30 s at most.
     */
    private static double firstCost(HeardUpdates heard) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            LocalAnswers a = heard.changes.poll(100, TimeUnit.MILLISECONDS);
            if (a != null) {
                try {
                    return a.cost("128.36.1.5", "130.132.3.9").orElseThrow();
                } catch (IllegalArgumentException noCostMapYet) {
                    // the network map alone
                }
            }
        }
        throw new AssertionError("no answers with a cost within 30 s; " + heard);
    }

    /** The cost from PID1 to PID2 (128.36.1.5 to 130.132.3.9) in a cost map. */
    private static double pid1ToPid2(VerifiedDocument costMap) {
        return Jcs.parse(costMap.representation().identity().body().unsafeArray()).path("cost-map").path("PID1").path("PID2").asDouble();
    }
}
