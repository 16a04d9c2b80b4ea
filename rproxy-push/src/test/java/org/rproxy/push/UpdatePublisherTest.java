package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;
import org.rproxy.core.server.StreamSink;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** The publisher's substream state machine, driven through its service with a sink that records. */
class UpdatePublisherTest {

    static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String CM = "/costmap/rc";

    private final UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
    private final AltoService service = publisher.wrap(r -> {
        throw new AssertionError("not a stream path: " + r.path());
    });

    @AfterEach
    void close() {
        publisher.close();
    }

    static Representation signed(String target, String id, String type, String body, Instant created) {
        Bytes b = Bytes.utf8(body);
        String digest = ContentDigest.sha256(b.unsafeArray());
        String etag = "\"" + digest.substring(8, 30).replace('+', '-').replace('/', '_') + "\"";
        String resource = "\"" + id + "\";path=\"" + target + "\"";
        SignatureHeaders sig = new ResponseSigner(KEY).sign(type, digest, etag, resource, created,
                created.plusSeconds(3600));
        List<HeaderField> h = List.of(new HeaderField("content-type", type), new HeaderField("content-digest", digest),
                new HeaderField("etag", etag), new HeaderField("alto-resource", resource),
                new HeaderField("signature-input", sig.signatureInput()), new HeaderField("signature", sig.signature()));
        return new Representation(new Variant(b, null, h), null, 60, created, created.plusSeconds(3600));
    }

    static Representation costMap(int cost, Instant created) {
        StringBuilder sb = new StringBuilder("{\"cost-map\":{\"PID1\":{\"PID2\":" + cost + "}");
        for (int i = 0; i < 20; i++) {
            sb.append(",\"P").append(i).append("\":{\"PID1\":").append(i).append('}');
        }
        // In RFC 8785 form, as the origin signs it.
        String jcs = new String(org.rproxy.core.codec.Jcs.canonicalize(sb.append("}}").toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)), java.nio.charset.StandardCharsets.UTF_8);
        return signed(CM, "rc", "application/alto-costmap+json", jcs, created);
    }

    /**
     * A sink that records what is sent, with the bytes waiting for the socket under the test's
     * control; like the front end's, it is writable below a window of 256 KB.
     */
    static final class RecordingSink implements StreamSink {
        final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
        volatile long pending;
        volatile boolean open = true;
        volatile Runnable onWritable;
        final List<Runnable> onClose = new ArrayList<>();

        @Override
        public boolean send(Bytes... parts) {
            StringBuilder sb = new StringBuilder();
            for (Bytes p : parts) {
                sb.append(p.asUtf8());
            }
            sent.add(sb.toString());
            return open;
        }

        @Override
        public boolean isWritable() {
            return open && pending < UpdateStreamConfig.DEFAULT_WINDOW_BYTES;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public long pendingBytes() {
            return pending;
        }

        @Override
        public java.net.SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public void onWritable(Runnable callback) {
            onWritable = callback;
        }

        @Override
        public void onWritten(java.util.function.LongConsumer callback) {
        }

        @Override
        public void abort() {
            close();
        }

        @Override
        public synchronized void onClose(Runnable callback) {
            onClose.add(callback);
        }

        @Override
        public synchronized void close() {
            open = false;
            onClose.forEach(Runnable::run);
        }

        String next() throws InterruptedException {
            String s = sent.poll(5, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("nothing sent within 5 s");
            }
            return s;
        }

        String none() throws InterruptedException {
            return sent.poll(200, TimeUnit.MILLISECONDS);
        }
    }

    private Reply call(String path, String type, String body) throws Exception {
        return call(service, path, type, body);
    }

    private static Reply call(AltoService service, String path, String type, String body) throws Exception {
        return service.handle(new AltoRequest("POST", path, Map.of(), path, type, null, Bytes.utf8(body)))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private RecordingSink subscribe(String params) throws Exception {
        return subscribe(service, params);
    }

    static RecordingSink subscribe(AltoService service, String params) throws Exception {
        Reply r = call(service, "/updates", "application/alto-updatestreamparams+json", params);
        Reply.Stream stream = assertInstanceOf(Reply.Stream.class, r, String.valueOf(r));
        RecordingSink sink = new RecordingSink();
        stream.onOpen().accept(sink);
        return sink;
    }

    private static String type(String event) {
        return event.substring("event: ".length(), event.indexOf('\n'));
    }

    @Test
    void aNewSubscriberGetsTheControlEventThenTheFullDocumentAndItsSignature() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        RecordingSink sink = subscribe("{\"add\":{\"rc\":{\"resource-id\":\"rc\"}}}");
        String control = sink.next();
        assertEquals("application/alto-updatestreamcontrol+json", type(control));
        assertTrue(control.contains("\"control-uri\":\"/updates/control/"), control);
        String update = sink.next();
        assertTrue(update.startsWith("event: application/alto-costmap+json,rc\ndata: {\"cost-map\""), update);
        assertTrue(update.contains("\n\nevent: application/alto-redist-signature+json,rc\ndata: {\"identity\""), update);
    }

    @Test
    void aDocumentCountsAsTakenOnceThePublisherHoldsItAndNoLongerOnceRemoved() throws Exception {
        assertFalse(publisher.hasTaken(CM));
        publisher.accept(CM, costMap(5, T0));
        // The subscription is handled on the publisher's thread, after the accept: taken, and sent.
        RecordingSink sink = subscribe("{\"add\":{\"rc\":{\"resource-id\":\"rc\"}}}");
        sink.next();
        assertTrue(sink.next().startsWith("event: application/alto-costmap+json,rc\n"));
        assertTrue(publisher.hasTaken(CM));
        publisher.remove(CM);
        String stopped = sink.next();
        assertEquals("application/alto-updatestreamcontrol+json", type(stopped), stopped);
        assertFalse(publisher.hasTaken(CM));
    }

    @Test
    void aSubscriberWhoseTagIsCurrentGetsOnlyTheSignature() throws Exception {
        Representation r = costMap(5, T0);
        publisher.accept(CM, r);
        String tag = r.identity().etag().replace("\"", "");
        RecordingSink sink = subscribe("{\"add\":{\"rc\":{\"resource-id\":\"rc\",\"tag\":\"" + tag + "\"}}}");
        sink.next();
        assertEquals("application/alto-redist-signature+json,rc", type(sink.next()));
        assertNull(sink.none());
    }

    @Test
    void aChangeIsAPatchWhenSmallerAndARenewalIsASignatureAlone() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        RecordingSink sink = subscribe("{\"add\":{\"rc\":{\"resource-id\":\"rc\"}}}");
        sink.next();
        sink.next();
        publisher.accept(CM, costMap(6, T0.plusSeconds(1)));
        String patch = sink.next();
        assertTrue(patch.startsWith("event: application/merge-patch+json,rc\ndata: {\"cost-map\":{\"PID1\":{\"PID2\":6}}}\n\n"),
                patch);
        publisher.accept(CM, costMap(6, T0.plusSeconds(2)));
        assertEquals("application/alto-redist-signature+json,rc", type(sink.next()));
        publisher.accept(CM, costMap(6, T0.plusSeconds(2)));
        assertNull(sink.none(), "the same signatures again send nothing");
    }

    @Test
    void aSubscriberWithoutRoomSkipsToTheLatestVersionWhenItDrains() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        RecordingSink sink = subscribe("{\"add\":{\"rc\":{\"resource-id\":\"rc\",\"incremental-changes\":false}}}");
        sink.next();
        sink.next();
        sink.pending = UpdateStreamConfig.DEFAULT_WINDOW_BYTES;
        publisher.accept(CM, costMap(6, T0.plusSeconds(1)));
        publisher.accept(CM, costMap(7, T0.plusSeconds(2)));
        publisher.accept(CM, costMap(8, T0.plusSeconds(3)));
        assertNull(sink.none(), "nothing while the window is full");
        sink.pending = 0;
        sink.onWritable.run();
        String latest = sink.next();
        assertTrue(latest.startsWith("event: application/alto-costmap+json,rc\ndata: {\"cost-map\":"), latest);
        assertTrue(latest.contains("\"PID1\":{\"PID2\":8}"), latest);
        assertNull(sink.none());
        assertEquals(2, publisher.stats().coalesced(), "versions 6 and 7 were skipped");
    }

    @Test
    void aSmallerWindowThanTheSinksHoldsUpdatesBackAndTheSubscriberIsPickedUpWhenItDrains() throws Exception {
        try (UpdatePublisher small = new UpdatePublisher(UpdateStreamConfig.defaults().withWindowBytes(4096))) {
            AltoService svc = small.wrap(r -> {
                throw new AssertionError(r.path());
            });
            small.accept(CM, costMap(5, T0));
            RecordingSink sink = subscribe(svc, "{\"add\":{\"rc\":{\"resource-id\":\"rc\",\"incremental-changes\":false}}}");
            sink.next();
            sink.next();
            sink.pending = 5000;
            small.accept(CM, costMap(6, T0.plusSeconds(1)));
            small.accept(CM, costMap(7, T0.plusSeconds(2)));
            assertNull(sink.none(), "nothing while 5000 bytes wait and the window is 4096");
            assertTrue(sink.isWritable(), "the sink itself has room, so it will not call back");
            sink.pending = 0;
            String latest = sink.next();
            assertTrue(latest.contains("\"PID1\":{\"PID2\":7}"), latest);
            assertNull(sink.none());
            assertEquals(1, small.stats().coalesced(), "version 6 was skipped");
        }
    }

    @Test
    void aLargerWindowThanTheSinksKeepsSendingUntilItIsFull() throws Exception {
        try (UpdatePublisher large = new UpdatePublisher(UpdateStreamConfig.defaults().withWindowBytes(1 << 20))) {
            AltoService svc = large.wrap(r -> {
                throw new AssertionError(r.path());
            });
            large.accept(CM, costMap(5, T0));
            RecordingSink sink = subscribe(svc, "{\"add\":{\"rc\":{\"resource-id\":\"rc\",\"incremental-changes\":false}}}");
            sink.next();
            sink.next();
            sink.pending = UpdateStreamConfig.DEFAULT_WINDOW_BYTES;
            large.accept(CM, costMap(6, T0.plusSeconds(1)));
            assertTrue(sink.next().contains("\"PID1\":{\"PID2\":6}"), "sent although the sink is past its own window");
            sink.pending = 1 << 20;
            large.accept(CM, costMap(7, T0.plusSeconds(2)));
            assertNull(sink.none(), "nothing once the configured window is full");
        }
    }

    @Test
    void theControlUriAddsAndRemovesSubstreamsOnTheLiveStream() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        publisher.accept("/prop/pid", signed("/prop/pid", "nm", "application/xml", "<alto>\n<pids/>\n</alto>\n", T0));
        RecordingSink sink = subscribe("{\"add\":{\"rc\":{\"resource-id\":\"rc\"}}}");
        String control = sink.next();
        String uri = control.substring(control.indexOf("/updates/control/"), control.lastIndexOf('"'));
        assertTrue(control.contains("\"/prop/pid\":\"nm\""), control);
        sink.next();
        Reply added = call(uri, "application/alto-updatestreamparams+json",
                "{\"add\":{\"x\":{\"resource-id\":\"nm\",\"path\":\"/prop/pid\"}}}");
        assertInstanceOf(Reply.NoContent.class, added);
        assertTrue(sink.next().contains("\"started\":[\"x\"]"));
        String xml = sink.next();
        assertTrue(xml.startsWith("event: application/xml,x\ndata: <alto>\ndata: <pids/>\ndata: </alto>\ndata: \n\n"), xml);

        Reply unknown = call(uri, "application/alto-updatestreamparams+json", "{\"remove\":[\"nope\"]}");
        Reply.Error refused = assertInstanceOf(Reply.Error.class, unknown);
        assertEquals("remove", refused.error().field()); // RFC 7285 §8.5.2: the array, with the element as the value
        assertEquals("nope", refused.error().value());
        assertInstanceOf(Reply.NoContent.class, call(uri, "application/alto-updatestreamparams+json",
                "{\"remove\":[\"rc\",\"x\"]}"));
        assertTrue(sink.next().contains("\"stopped\":[\"rc\",\"x\"]"));
        assertTrue(!sink.open, "no substream left: the stream ends");
        Reply gone = call(uri, "application/alto-updatestreamparams+json", "{\"remove\":[\"rc\"]}");
        assertEquals(404, assertInstanceOf(Reply.Error.class, gone).error().httpStatus());
    }

    @Test
    void badSubscriptionsAreAnsweredWithAltoErrors() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        Reply.Error type = assertInstanceOf(Reply.Error.class, call("/updates", "application/json", "{}"));
        assertEquals(415, type.error().httpStatus());
        Reply.Error unknown = assertInstanceOf(Reply.Error.class, call("/updates",
                "application/alto-updatestreamparams+json", "{\"add\":{\"a\":{\"resource-id\":\"nope\"}}}"));
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, unknown.error().code());
        assertEquals("add/a/resource-id", unknown.error().field());
        Reply.Error get = assertInstanceOf(Reply.Error.class, service.handle(new AltoRequest("GET", "/updates",
                Map.of(), "/updates", null, null, Bytes.empty())).toCompletableFuture().get());
        assertEquals(405, get.error().httpStatus());
        Reply.Error empty = assertInstanceOf(Reply.Error.class, call("/updates",
                "application/alto-updatestreamparams+json", "{}"));
        assertEquals(AltoErrorCode.E_MISSING_FIELD, empty.error().code());
        assertEquals("add", empty.error().field());
        // "add" is there but names no substream: not a missing field
        Reply.Error none = assertInstanceOf(Reply.Error.class, call("/updates",
                "application/alto-updatestreamparams+json", "{\"add\":{}}"));
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, none.error().code());
        assertEquals("add", none.error().field());
        assertEquals("{}", none.error().value());
    }

    @Test
    void aSubscriberThatLeavesIsForgotten() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        RecordingSink sink = subscribe("{\"add\":{\"rc\":{\"resource-id\":\"rc\"}}}");
        sink.next();
        sink.next();
        assertEquals(1, publisher.stats().subscribers());
        sink.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (publisher.stats().subscribers() != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, publisher.stats().subscribers());
    }
}
