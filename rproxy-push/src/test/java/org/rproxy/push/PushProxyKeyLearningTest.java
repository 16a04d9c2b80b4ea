package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.await;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * A standalone {@link PushProxy} learns the origin's next key from the directory its upstream
 * streams, signed by the key it trusts, and then takes a document signed by the next key; a
 * directory signed by a key it does not trust teaches it nothing. The proxy learns through
 * {@link ResponseVerifier#learnKeys}, which verifies the directory again, no longer through the
 * verifier's live key set. Real sockets: a {@link LoopbackUpstream} on loopback.
 */
class PushProxyKeyLearningTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final String RESOURCES = "\"resources\":{"
            + "\"nm\":{\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"" + NM + "\"},"
            + "\"updates\":{\"media-type\":\"text/event-stream\",\"uri\":\"/updates\",\"uses\":[\"nm\"]}}";

    private final MutableClock clock = new MutableClock(T0.plusSeconds(10));

    @Test
    void theNextKeyAnnouncedInATrustedDirectoryIsLearntAndAStrangersIsNot() throws Exception {
        TestSigner next = new TestSigner();
        TestSigner stranger = new TestSigner();
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            ResponseVerifier verifier = new ResponseVerifier(List.of(upstream.origin.publicKey()), clock);
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            try (PushProxy proxy = PushProxy.start(FrontEndConfig.defaults("127.0.0.1", 0),
                    PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200)),
                    verifier, UpdateStreamConfig.defaults(), clock)) {
                await("the first version held", () -> createdHeld(proxy, T0));

                // a directory listing a stranger's key, signed by that stranger: refused, nothing learnt
                publishDirectory(upstream, stranger, T0.plusSeconds(1), stranger);
                await("the stranger's directory refused", () -> proxy.feed().stats().rejected() >= 1);
                assertEquals(Set.of(upstream.origin.publicKey().keyId()), verifier.trustedKeyIds());

                // the origin announces its next key in a directory it signs
                publishDirectory(upstream, upstream.origin, T0.plusSeconds(2), upstream.origin, next);
                await("the next key learnt", () -> verifier.trustedKeyIds().contains(next.publicKey().keyId()));
                assertFalse(verifier.trustedKeyIds().contains(stranger.publicKey().keyId()));

                Instant byNext = T0.plusSeconds(3);
                Bytes body = Bytes.wrap(Jcs.canonicalize(networkMap(2, 1).getBytes(StandardCharsets.UTF_8)));
                upstream.publisher.accept(NM, next.sign(AltoResource.of("nm", NM), body, false, byNext,
                        Duration.ofDays(1), 60));
                await("the version signed by the next key held", () -> createdHeld(proxy, byNext));
            }
        }
    }

    /** Streams a directory listing {@code listed}'s keys, signed by {@code by} at {@code created}. */
    private static void publishDirectory(LoopbackUpstream upstream, TestSigner by, Instant created,
                                         TestSigner... listed) {
        StringBuilder keys = new StringBuilder();
        for (TestSigner s : listed) {
            Jwk k = s.publicKey().jwk();
            keys.append(keys.length() == 0 ? "" : ",").append("{\"kty\":\"").append(k.kty()).append("\",\"crv\":\"")
                    .append(k.crv()).append("\",\"x\":\"").append(k.x()).append("\",\"kid\":\"").append(k.kid())
                    .append("\",\"alg\":\"").append(k.alg()).append('"')
                    .append(k.y() == null ? "" : ",\"y\":\"" + k.y() + "\"").append('}');
        }
        String body = "{\"meta\":{\"alto-redist\":{\"keys\":[" + keys + "],\"proxies\":[]}}," + RESOURCES + "}";
        Bytes jcs = Bytes.wrap(Jcs.canonicalize(body.getBytes(StandardCharsets.UTF_8)));
        Representation r = by.sign(AltoResource.of("directory", StreamDiscovery.DIRECTORY), jcs, false, created,
                Duration.ofDays(1), 60);
        upstream.publisher.accept(StreamDiscovery.DIRECTORY, r);
    }

    private static boolean createdHeld(PushProxy proxy, Instant created) {
        Representation r = proxy.feed().held().get(NM);
        return r != null && r.created().equals(created);
    }
}
