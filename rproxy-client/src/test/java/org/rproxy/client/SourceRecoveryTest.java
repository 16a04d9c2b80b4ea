package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;

/**
 * A proxy that failed is not written off: once its failure is no longer recent it is asked
 * first again, in its place; one that keeps failing waits longer each time; one that serves an
 * older version than the client holds cools down, as one that fails verification. Real servers on
 * loopback ports; the client's clock is moved by hand.
 */
class SourceRecoveryTest {

    @TempDir
    Path dir;

    /**
     * B answers this much later than A, so that A, healthy, comes first by latency: by far more
     * than a busy machine's stall in A's one timed answer (at 100 ms, A's came out slower than
     * B's once, with another test JVM and other builds beside it).
     */
    private static final Duration SLOWER = Duration.ofMillis(500);

    private final MutableClock clock = MutableClock.now();

    @Test
    void aProxyThatAnsweredOne503IsAskedFirstAgainOnceItsFailureIsNoLongerRecent() throws Exception {
        try (ScriptedProxy a = new ScriptedProxy(); ScriptedProxy b = new ScriptedProxy().slow(SLOWER);
             LocalOrigin origin = LocalOrigin.start(dir, List.of(a.base(), b.base()));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withClock(clock))) {
            Representation current = c.fetch(LocalOrigin.COST_MAP).representation(); // neither holds it yet
            a.serve(LocalOrigin.COST_MAP, current);
            b.serve(LocalOrigin.COST_MAP, current);
            c.fetch(LocalOrigin.COST_MAP); // A answers: healthy again
            assertEquals(List.of(a.uri(), b.uri(), origin.uri()), c.sourceOrder());

            a.down(true); // one 503
            assertEquals(b.uri().getPort(), c.fetch(LocalOrigin.COST_MAP).source().getPort());
            a.down(false);
            assertEquals(List.of(b.uri(), a.uri(), origin.uri()), c.sourceOrder(), "recently failing");

            clock.advance(Duration.ofSeconds(30));
            int before = a.asked(LocalOrigin.COST_MAP);
            VerifiedDocument d = c.fetch(LocalOrigin.COST_MAP);
            assertEquals(a.uri().getPort(), d.source().getPort(), "asked first again: " + c.sourceOrder());
            assertEquals(before + 1, a.asked(LocalOrigin.COST_MAP));
            assertEquals(List.of(), d.refused());
        }
    }

    @Test
    void aProxyServingAnOlderVersionThanHeldCoolsDownAndIsAskedAgainAfterIt() throws Exception {
        try (ScriptedProxy stale = new ScriptedProxy(); LocalOrigin origin = LocalOrigin.start(dir, List.of(stale.base()));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withClock(clock))) {
            VerifiedDocument older = c.fetch(LocalOrigin.COST_MAP);
            origin.newerVersion(c, older);
            stale.serve(LocalOrigin.COST_MAP, older.representation());
            VerifiedDocument d = c.fetch(LocalOrigin.COST_MAP);
            assertInstanceOf(ClientException.Rollback.class, d.refused().get(0));
            assertTrue(c.health().coolingDown(stale.uri()));
            assertEquals(List.of(origin.uri()), c.sourceOrder());
            int asked = stale.asked(LocalOrigin.COST_MAP);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of(), c.fetch(LocalOrigin.COST_MAP).refused());
            }
            assertEquals(asked, stale.asked(LocalOrigin.COST_MAP), "not asked while cooling down");

            clock.advance(Duration.ofMinutes(1));
            assertEquals(List.of(stale.uri(), origin.uri()), c.sourceOrder());
            assertInstanceOf(ClientException.Rollback.class, c.fetch(LocalOrigin.COST_MAP).refused().get(0));
            assertEquals(asked + 1, stale.asked(LocalOrigin.COST_MAP));
        }
    }

    @Test
    void aProxyStillFailingWhenAskedAgainStaysDemotedLonger() throws Exception {
        try (ScriptedProxy a = new ScriptedProxy(); ScriptedProxy b = new ScriptedProxy().slow(SLOWER);
             LocalOrigin origin = LocalOrigin.start(dir, List.of(a.base(), b.base()));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withClock(clock))) {
            Representation current = c.fetch(LocalOrigin.COST_MAP).representation();
            a.serve(LocalOrigin.COST_MAP, current);
            b.serve(LocalOrigin.COST_MAP, current);
            c.fetch(LocalOrigin.COST_MAP);
            a.down(true);
            c.fetch(LocalOrigin.COST_MAP); // the first failure: recent for 30 s
            clock.advance(Duration.ofSeconds(30));
            int before = a.asked(LocalOrigin.COST_MAP);
            assertEquals(b.uri().getPort(), c.fetch(LocalOrigin.COST_MAP).source().getPort());
            assertEquals(before + 1, a.asked(LocalOrigin.COST_MAP), "asked first, still down");

            // the second failure in a row: recent for 60 s
            clock.advance(Duration.ofSeconds(59));
            assertEquals(List.of(b.uri(), a.uri(), origin.uri()), c.sourceOrder());
            c.fetch(LocalOrigin.COST_MAP);
            assertEquals(before + 1, a.asked(LocalOrigin.COST_MAP), "not asked while demoted");
            a.down(false);
            clock.advance(Duration.ofSeconds(1));
            assertEquals(a.uri().getPort(), c.fetch(LocalOrigin.COST_MAP).source().getPort());
            assertEquals(0, c.health().recentFailures(a.uri()));
        }
    }
}
