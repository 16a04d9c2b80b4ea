package org.rproxy.pull;

import static org.rproxy.pull.FeedFixture.MAP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;

/**
 * A fetch overtaken by a newer version held while it ran (pushed by the push half of the node):
 * the feed keeps the newer one, and the requests that waited for the fetch get it too, never the
 * older version the upstream sent.
 */
class OvertakenFetchTest {
    static final String V1 = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]}}}";
    static final String V2 = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\",\"11.0.0.0/8\"]}}}";

    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void aMissWhoseFetchANewerOfferOvertookGetsTheNewerCopy() throws Exception {
        f.upstream.docs.put(MAP, f.signer.sign(MAP, V1, false, f.clock.instant(), Duration.ofHours(1), 60));
        CompletableFuture<Void> gate = new CompletableFuture<>();
        f.upstream.gate = gate;
        CompletableFuture<Reply> waiting = f.feed.serve(CacheKey.get(MAP), UpstreamCall.PLAIN_GET).toCompletableFuture();

        f.clock.advance(Duration.ofSeconds(2));
        Representation v2 = f.signer.sign(MAP, V2, false, f.clock.instant(), Duration.ofHours(1), 60);
        assertTrue(f.feed.offer(Offers.of(f.signer, f.clock, MAP, v2), "1.1 edge"), "pushed while the fetch ran");
        gate.complete(null); // the upstream answers v1 now

        Reply r = waiting.get(5, TimeUnit.SECONDS);
        assertTrue(r instanceof Reply.Ok, () -> "a copy: " + r);
        assertEquals(Bytes.utf8(V2), ((Reply.Ok) r).representation().identity().body(),
                "the newer version held, not the older one the overtaken fetch brought");
        assertEquals(Bytes.utf8(V2), f.feed.entry(CacheKey.get(MAP)).held().identity().variant().body());
    }

    @Test
    void aMissWhoseFetchANewerSigningLetGoMeanwhileOvertookIsRefusedAsARollback() throws Exception {
        try (FeedFixture small = new FeedFixture(4096)) {
            small.upstream.docs.put(MAP, small.signer.sign(MAP, V1, false, small.clock.instant(), Duration.ofHours(1), 60));
            CompletableFuture<Void> gate = new CompletableFuture<>();
            small.upstream.gate = gate;
            CompletableFuture<Reply> waiting = small.feed.serve(CacheKey.get(MAP), UpstreamCall.PLAIN_GET)
                    .toCompletableFuture();

            small.clock.advance(Duration.ofSeconds(2));
            String big = V2.replace("11.0.0.0/8", "11.0.0.0/8\",\"" + "12.0.0.0/8\",\"".repeat(400) + "13.0.0.0/8");
            Representation v2 = small.signer.sign(MAP, big, false, small.clock.instant(), Duration.ofHours(1), 60);
            assertTrue(small.feed.offer(Offers.of(small.signer, small.clock, MAP, v2), "1.1 edge"),
                    "pushed while the fetch ran");
            assertNull(small.feed.heldSigned(MAP), "heavier than the store's bound: let go of at once, its floor kept");
            gate.complete(null); // the upstream answers v1 now

            Reply r = waiting.get(5, TimeUnit.SECONDS);
            assertTrue(r instanceof Reply.Error, () -> "not v1, older than the v2 verified here: " + r);
            assertEquals(502, ((Reply.Error) r).error().httpStatus());
            assertNull(small.feed.heldSigned(MAP));
        }
    }
}
