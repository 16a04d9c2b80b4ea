package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.MutableClock;

/**
 * The {@link LocalAnswers} an application keeps from {@code refreshMaps()} is a snapshot of the
 * version it was made from: it goes on answering from that version when the client takes a newer
 * one, and {@code answers()} gives the newest. Once its own maps have expired it says so, and,
 * when the client holds newer maps, points to them; before, it said "were not renewed: refresh
 * them (AltoClient.refreshMaps)", sending an application whose client held valid newer maps to
 * fetch them again. A real origin on loopback, signing by the clock the test moves (and on its
 * own timer, in real time, re-signing every document at half validity).
 */
class KeptAnswersTest {
    private static final String SRC = "128.36.1.5"; // PID1
    private static final String DST = "130.132.3.9"; // PID2
    /** The shortest the origin takes: it re-signs every document at half of it, 5 s. */
    private static final Duration VALIDITY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void keptAnswersAreASnapshotThatPointsToTheNewerOnesOnceExpired() throws Exception {
        MutableClock clock = MutableClock.now();
        try (LocalOrigin origin = LocalOrigin.startStreaming(dir, List.of(), VALIDITY, clock);
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withClock(clock))) {
            LocalAnswers kept = c.refreshMaps();
            double before = kept.cost(SRC, DST).orElseThrow();
            String network = c.mapTargets().get(0);
            Instant signed = c.fetch(network).created();
            origin.newerVersion(c, c.fetch(LocalOrigin.COST_MAP));
            awaitRenewal(c, network, signed); // the origin's re-signing at half validity: newer maps valid for longer
            LocalAnswers now = c.refreshMaps();
            assertNotEquals(kept.versions(), now.versions(), "the client took a newer version");
            assertEquals(now.versions(), c.answers().versions());
            assertEquals(before, kept.cost(SRC, DST).orElseThrow(), "the kept answers stay on their version");
            assertNotEquals(before, now.cost(SRC, DST).orElseThrow());

            clock.advance(Duration.between(clock.instant(), kept.validUntil())); // the kept maps expire now
            assertTrue(now.isCurrent(), "the newer maps, signed later, are valid");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.cost(SRC, DST));
            assertTrue(e.getMessage().contains("the client holds newer ones") && e.getMessage().contains("AltoClient.answers()"),
                    e.getMessage());
            assertEquals(now.cost(SRC, DST), c.answers().cost(SRC, DST));
        }
    }

    /** Waits (in real time: the origin re-signs on its own timer) until {@code target} is signed after {@code signed}. */
    private static void awaitRenewal(AltoClient c, String target, Instant signed) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.fetch(target).created().isAfter(signed)) {
            assertTrue(System.nanoTime() < end, "the origin renewed no signature of " + target + " within 60 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
