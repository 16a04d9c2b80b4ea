package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.await;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.ReplayingRelay;
import org.rproxy.core.testing.SignatureTwins;

/**
 * An upstream that replays the signature event of the version the push feed holds, after an empty
 * merge patch, again and again (a kilobyte each): each pair was applied to the held document
 * (parsed, copied, put in RFC 8785 form, hashed, verified), gzipped again and handed to the
 * store as a "renewal". Now a repeat is dropped before anything is rebuilt, and counted as
 * {@code rproxy_push_updates_total{result="repeated"}}; the next genuine version still verifies.
 * A real {@link PushFeed} subscribed over loopback, through a {@link ReplayingRelay}, to a real
 * {@link UpdatePublisher}.
 */
class ReplayedSignatureTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final int REPLAYS = 200;

    @Test
    void aReplayedSignatureEventIsDroppedUnrebuiltAndCountedAndTheNextVersionVerifies() throws Exception {
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            replaysAreRepeats(upstream, UnaryOperator.identity());
        }
    }

    /**
     * The same signing re-encoded: the origin signs with ECDSA P-256 and the upstream replays the
     * held version's signature event with each signature's s replaced by n - s (its twin, which
     * verifies too), and as it came, by turns. Each replay used to differ from the signature held
     * by its bytes, so each was rebuilt, verified, counted as a renewal and handed on (to the
     * store, and from there to every subscriber): 200 renewals of one signing. It is the same
     * signature base, so the same signing: each is a repeat.
     */
    @Test
    void aReplayedSignatureEventWithTheTwinEcdsaSignatureIsARepeatToo() throws Exception {
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0,
                SignatureAlgorithm.ECDSA_P256_SHA256)) {
            replaysAreRepeats(upstream, SignatureTwins::twinEvent);
        }
    }

    private static void replaysAreRepeats(LoopbackUpstream upstream, UnaryOperator<String> reencode) throws Exception {
        try (ReplayingRelay relay = new ReplayingRelay(upstream.uri(), "application/alto-networkmap+json", REPLAYS,
                reencode)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            List<Instant> handedOn = new CopyOnWriteArrayList<>();
            PushFeed feed = new PushFeed(PushFeedConfig.of(relay.uri()), new ResponseVerifier(
                    List.of(upstream.origin.publicKey()), new MutableClock(T0.plusSeconds(10))), copy -> {
                        if (copy.target().equals(NM)) {
                            handedOn.add(copy.representation().created());
                        }
                    }, new ManualScheduler(), () -> 0.5);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            StreamMeters.feed(registry, feed);
            try {
                feed.begin();
                assertTrue(relay.replayed.await(10, TimeUnit.SECONDS), "the relay never replayed");
                // The next version travels on the same stream, after the replays.
                upstream.publish(NM, "nm", networkMap(2, 1), T0.plusSeconds(1));
                await("V2 held", () -> feed.held().get(NM) != null
                        && feed.held().get(NM).created().equals(T0.plusSeconds(1)));
                // The feed holds a version before it hands it on (on its own thread): wait for that too.
                await("V2 handed on", () -> handedOn.contains(T0.plusSeconds(1)));

                assertEquals(List.of(T0, T0.plusSeconds(1)), handedOn, "only the two versions were handed on");
                PushFeed.Stats s = feed.stats();
                assertEquals(0, s.renewals(), "a replay is no renewal");
                assertEquals(0, s.rejected());
                // and the directory: read before subscribing, then streamed with the same signing
                assertEquals(REPLAYS + 1, s.repeated());
                assertEquals(0, s.resyncs());
                assertEquals(REPLAYS + 1, registry.get("rproxy.push.updates").tag("result", "repeated")
                        .functionCounter().count());
            } finally {
                feed.close();
            }
        }
    }
}
