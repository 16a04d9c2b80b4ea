package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.testing.ReplayingRelay;
import org.rproxy.core.testing.SignatureTwins;

/**
 * A source that replays the signature event of the cost map the client holds, after an empty merge
 * patch, again and again (a kilobyte each): each pair had the client parse the held map, copy it,
 * put it in RFC 8785 form, hash and verify it (61 s of CPU a minute for a 9.8 MB map). Now a repeat
 * is dropped before anything is rebuilt, and counted ({@link UpdateFollower#counts()}); the
 * origin's next version, sent after the replays on the same stream, is taken. Real sockets: a real
 * signing origin with a real publisher, behind a {@link ReplayingRelay} that it lists as an RProxy.
 */
class ReplayedUpdatesTest {
    private static final int REPLAYS = 200;

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aReplayedSignatureEventIsDroppedUncheckedAndTheNextVersionIsTaken() throws Exception {
        replaysAreRepeats(SignatureAlgorithm.ED25519, UnaryOperator.identity());
    }

    /**
     * The same signing re-encoded: the origin signs with ECDSA P-256 and the source replays the
     * held cost map's signature event with each signature's s replaced by n - s (its twin, which
     * verifies too), and as it came, by turns. Each replay used to differ from the signature held
     * by its bytes, so the client rebuilt and verified every one (200 checks of one signing). It
     * is the same signature base, so the same signing: each is a repeat.
     */
    @Test
    void aReplayedSignatureEventWithTheTwinEcdsaSignatureIsARepeatToo() throws Exception {
        replaysAreRepeats(SignatureAlgorithm.ECDSA_P256_SHA256, SignatureTwins::twinEvent);
    }

    private void replaysAreRepeats(SignatureAlgorithm algorithm, UnaryOperator<String> reencode) throws Exception {
        ReplayingRelay relay = started.add(new ReplayingRelay(null, "application/alto-costmap+json", REPLAYS,
                reencode));
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(relay.uri() + "/"), algorithm));
        relay.relayTo(origin.uri());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))));
        HeardUpdates heard = new HeardUpdates();
        UpdateFollower f = started.add(c.follow(heard)); // holds no map yet: the stream sends each in full
        assertEquals(Optional.of(relay.uri() + "/updates"), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);
        assertTrue(relay.replayed.await(30, TimeUnit.SECONDS), "the relay never replayed; " + heard);

        VerifiedDocument newer = origin.newerVersion(c, c.fetch(LocalOrigin.COST_MAP));
        double cost = Jcs.parse(newer.bodyStream().readAllBytes()).path("cost-map").path("PID1").path("PID2").asDouble();
        awaitCost(heard, cost);

        assertTrue(f.counts().checked() <= 3, "checked: the two maps and the new version, not the "
                + "replays: " + f.counts().checked());
        // and the directory: fetched at the bootstrap, then streamed with the same signing
        assertEquals(REPLAYS + 1, f.counts().repeated(), heard::toString);
        assertEquals(List.of(), heard.invalid());
        assertEquals(List.of(), heard.rollbacks());
    }

    /** Waits (30 s at most) for answers in which the cost from 128.36.1.5 to 130.132.3.9 is {@code cost}. */
    private static void awaitCost(HeardUpdates heard, double cost) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            LocalAnswers a = heard.changes.poll(100, TimeUnit.MILLISECONDS);
            try {
                if (a != null && a.cost("128.36.1.5", "130.132.3.9").orElse(0) == cost) {
                    return;
                }
            } catch (IllegalArgumentException noCostMapYet) {
                // answers from the network map alone
            }
        }
        throw new AssertionError("no answers with cost " + cost + " within 30 s; " + heard);
    }
}
