package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;
import org.rproxy.core.testing.Eventually;

/**
 * A publisher stopped while the front end is writing the head of a stream it accepted: the
 * stream, once open, is closed, so its subscriber sees it end and subscribes elsewhere or again.
 * Its start was handed to the stopped publisher's thread, which dropped it: the stream stayed
 * open, the front end's heartbeats keeping it alive, and the subscriber waited on it for good.
 */
class PublisherStopTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aStreamOpeningAfterThePublisherStoppedIsClosed() throws Exception {
        UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
        UpdatePublisherTest.RecordingSink sink = new UpdatePublisherTest.RecordingSink();
        try {
            AltoService service = publisher.wrap(r -> {
                throw new AssertionError("not a stream path: " + r.path());
            });
            publisher.accept("/costmap/rc", UpdatePublisherTest.costMap(5, T0));
            String params = "{\"add\":{\"rc\":{\"resource-id\":\"rc\"}}}";
            Reply r = service.handle(new AltoRequest("POST", "/updates", Map.of(), "/updates",
                    "application/alto-updatestreamparams+json", null, Bytes.utf8(params)))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            Reply.Stream stream = assertInstanceOf(Reply.Stream.class, r, String.valueOf(r));
            publisher.close(); // while the front end writes the stream's head
            stream.onOpen().accept(sink); // the head written: the stream opens
        } finally {
            publisher.close();
        }
        Eventually.await("the stream closed", java.time.Duration.ofSeconds(5), () -> !sink.open);
        assertTrue(sink.sent.isEmpty(), "nothing sent on a stream of a stopped publisher: " + sink.sent);
    }
}
