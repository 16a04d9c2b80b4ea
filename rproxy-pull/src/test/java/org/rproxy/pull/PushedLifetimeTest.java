package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.pull.FeedFixture.MAP;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.SignatureEvent;

/**
 * A copy the push half of a node hands the pull half with the {@code max-age} its upstream's
 * signature event said (not signed: any upstream writes any whole number there). One of
 * {@code Long.MAX_VALUE} made every request for the document throw "long overflow" in the feed
 * (its freshness is that many seconds after it was fetched); the event's reader now takes it as
 * 2^31, as RFC 9111 §1.2.2 has caches do, and the copy is served.
 */
class PushedLifetimeTest {
    final FeedFixture f = new FeedFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void aCopyPushedWithTheLargestMaxAgeIsServed() throws Exception {
        Representation signed = f.signer.sign(MAP, "{\"network-map\":{}}", false, f.clock.instant(),
                Duration.ofHours(1), 60);
        String json = SignatureEvent.of(signed).toJson().asUtf8().replace("\"max-age\":60",
                "\"max-age\":" + Long.MAX_VALUE);
        SignatureEvent event = SignatureEvent.parse(Bytes.wrap(json.getBytes(StandardCharsets.UTF_8)));
        Representation pushed = new Representation(signed.identity(), null, event.maxAgeSeconds(), signed.created(),
                signed.expires());
        assertTrue(f.feed.offer(Offers.of(f.signer, f.clock, MAP, pushed), "1.1 edge"));

        Reply r = f.feed.serve(CacheKey.get(MAP), UpstreamCall.PLAIN_GET).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(signed.identity().body(), assertInstanceOf(Reply.Ok.class, r).representation().identity().body());
    }
}
