package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.UpdatePublisherTest.costMap;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;
import org.rproxy.push.UpdatePublisherTest.RecordingSink;

/**
 * A subscriber that stops reading and keeps posting to its control URI: each request queues
 * {@code started} and {@code stopped} events that only reading drains, so they queued without
 * bound until the stall timeout. Past {@link StreamService#CONTROL_BACKLOG_BYTES} waiting, the
 * control URI answers 503 until the subscriber reads.
 */
class ControlBacklogTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String PARAMS = "application/alto-updatestreamparams+json";
    private static final String SWAP = "{\"remove\":[\"y\"],\"add\":{\"y\":{\"resource-id\":\"rc\"}}}";

    private final UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
    private final AltoService service = publisher.wrap(r -> {
        throw new AssertionError("not a stream path: " + r.path());
    });

    @AfterEach
    void close() {
        publisher.close();
    }

    private Reply call(String path, String body) throws Exception {
        return service.handle(new AltoRequest("POST", path, Map.of(), path, PARAMS, null, Bytes.utf8(body)))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSubscriberThatStopsReadingCanQueueNoMoreThanTheBacklogOfControlEvents() throws Exception {
        publisher.accept("/costmap/rc", costMap(5, T0));
        Reply.Stream stream = assertInstanceOf(Reply.Stream.class,
                call("/updates", "{\"add\":{\"rc\":{\"resource-id\":\"rc\"},\"y\":{\"resource-id\":\"rc\"}}}"));
        RecordingSink sink = new RecordingSink();
        stream.onOpen().accept(sink);
        String opened = sink.next();
        String control = opened.substring(opened.indexOf("/updates/control/"), opened.lastIndexOf('"'));
        sink.next();
        sink.next();
        sink.pending = UpdateStreamConfig.DEFAULT_WINDOW_BYTES;

        int accepted = 0;
        Reply refused = null;
        for (int i = 0; i < 5_000 && refused == null; i++) {
            Reply r = call(control, SWAP);
            if (r instanceof Reply.NoContent) {
                accepted++;
            } else {
                refused = r;
            }
        }
        Reply.Error error = assertInstanceOf(Reply.Error.class, refused,
                "every one of " + accepted + " control requests was queued while nothing was read");
        assertEquals(503, error.error().httpStatus());
        assertTrue(error.error().message().contains("control events its subscriber has not read"), error.error().message());
        assertEquals(503, assertInstanceOf(Reply.Error.class, call(control, SWAP)).error().httpStatus(),
                "still refused while nothing is read");

        sink.pending = 0;
        sink.onWritable.run();
        long controlBytes = 0;
        int controlEvents = 0;
        for (String e = sink.none(); e != null; e = sink.none()) {
            if (e.startsWith("event: application/alto-updatestreamcontrol+json")) {
                controlBytes += e.length();
                controlEvents++;
            }
        }
        assertEquals(2 * accepted, controlEvents, "a stopped and a started event per request taken");
        assertTrue(controlBytes < StreamService.CONTROL_BACKLOG_BYTES + 1024, "queued: " + controlBytes + " bytes");
        assertInstanceOf(Reply.NoContent.class, call(control, SWAP), "taken again once the subscriber has read");
    }
}
