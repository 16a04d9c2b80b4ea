package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.UpdatePublisherTest.costMap;
import static org.rproxy.push.UpdatePublisherTest.signed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;
import org.rproxy.core.server.StreamSink;

/**
 * How many substreams one stream may have, and what a change costs with that many: at most one
 * per document the node offers plus {@link StreamService#SUBSTREAMS_BEYOND_DOCUMENTS}, at open
 * and through the control URI (an unlimited number made every new version cost the publisher's
 * one thread time quadratic in it, stalling every stream of the node); a version reaches the cap's
 * worth of substreams each exactly once, through a window that drains many times; and finding
 * the next substream to serve looks at a bounded number of them per event, however many there are.
 */
class SubstreamLimitTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String PARAMS = "application/alto-updatestreamparams+json";
    private static final String CM = "/costmap/rc";
    /** One document held, no directory: the cap is 1 + 256. */
    private static final int CAP = 1 + StreamService.SUBSTREAMS_BEYOND_DOCUMENTS;

    /** A node-wide bound no test here comes near. */
    private static final PendingBudget UNBOUNDED = new PendingBudget(Long.MAX_VALUE, () -> { });
    private final UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults().withWindowBytes(4096));
    private final AltoService service = publisher.wrap(r -> {
        throw new AssertionError("not a stream path: " + r.path());
    });

    @AfterEach
    void close() {
        publisher.close();
    }

    /** A sink whose socket takes nothing until the test drains it: every byte sent waits. */
    static final class DrainedSink implements StreamSink {
        final List<String> sent = Collections.synchronizedList(new ArrayList<>());
        volatile long pending;
        volatile boolean open = true;
        volatile Runnable onWritable;

        @Override
        public boolean send(Bytes... parts) {
            StringBuilder sb = new StringBuilder();
            for (Bytes p : parts) {
                sb.append(p.asUtf8());
                pending += p.length();
            }
            sent.add(sb.toString());
            return open;
        }

        @Override public boolean isWritable() { return open && pending < 4096; }
        @Override public boolean isOpen() { return open; }
        @Override public long pendingBytes() { return pending; }
        @Override public java.net.SocketAddress remoteAddress() { return null; }
        @Override public void onWritable(Runnable callback) { onWritable = callback; }
        @Override public void onWritten(java.util.function.LongConsumer callback) { }
        @Override public void abort() { close(); }
        @Override public void onClose(Runnable callback) { }
        @Override public void close() { open = false; }
    }

    private Reply call(String path, String body) throws Exception {
        return service.handle(new AltoRequest("POST", path, Map.of(), path, PARAMS, null, Bytes.utf8(body)))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String adds(int from, int to) {
        StringBuilder b = new StringBuilder("{\"add\":{");
        for (int i = from; i < to; i++) {
            b.append(i > from ? "," : "").append("\"s").append(i).append("\":{\"resource-id\":\"rc\"}");
        }
        return b.append("}}").toString();
    }

    /** Waits until the publisher's thread has done everything handed to it so far. */
    private void settle() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.run(() -> done.complete(null));
        done.get(10, TimeUnit.SECONDS);
    }

    /** Drains the sink until {@code n} events whose type starts with {@code prefix} have been sent; returns them. */
    private List<String> drainUntil(DrainedSink sink, String prefix, int n) throws Exception {
        for (int round = 0; round < 10 * n; round++) {
            settle();
            List<String> matching = new ArrayList<>();
            synchronized (sink.sent) {
                sink.sent.stream().filter(e -> e.startsWith("event: " + prefix)).forEach(matching::add);
            }
            if (matching.size() >= n) {
                return matching;
            }
            sink.pending = 0;
            sink.onWritable.run();
        }
        throw new AssertionError("fewer than " + n + " " + prefix + " events");
    }

    @Test
    void aStreamOpensWithUpToTheCapAndOneMoreIs400NamingAdd() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        Reply.Error over = assertInstanceOf(Reply.Error.class, call("/updates", adds(0, CAP + 1)));
        assertEquals(400, over.error().httpStatus());
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, over.error().code());
        assertEquals("add", over.error().field());
        assertTrue(over.error().message().contains("at most " + CAP + " per update stream"), over.error().message());
        assertEquals(0, publisher.stats().subscribers());
        assertInstanceOf(Reply.Stream.class, call("/updates", adds(0, CAP)));
    }

    @Test
    void theControlUriAddsUpToTheCapAndNoFurther() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        DrainedSink sink = new DrainedSink();
        assertInstanceOf(Reply.Stream.class, call("/updates", adds(0, 1))).onOpen().accept(sink);
        settle();
        String opened = sink.sent.get(0);
        String control = opened.substring(opened.indexOf("/updates/control/"), opened.lastIndexOf('"'));
        assertInstanceOf(Reply.NoContent.class, call(control, adds(1, CAP - 10)));
        Reply.Error over = assertInstanceOf(Reply.Error.class, call(control, adds(CAP - 10, CAP + 1)));
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, over.error().code());
        assertEquals("add", over.error().field());
        assertInstanceOf(Reply.NoContent.class, call(control, adds(CAP - 10, CAP)));
        assertEquals("add", assertInstanceOf(Reply.Error.class, call(control, adds(CAP, CAP + 1))).error().field());
        assertInstanceOf(Reply.NoContent.class, call(control,
                "{\"remove\":[\"s0\",\"s0\"],\"add\":{\"s0\":{\"resource-id\":\"rc\"}}}"), "a substream replaced, not added");
    }

    @Test
    void oneVersionReachesTheCapsWorthOfSubstreamsEachOnceInOrderThroughManyDrains() throws Exception {
        publisher.accept(CM, costMap(5, T0));
        DrainedSink sink = new DrainedSink();
        assertInstanceOf(Reply.Stream.class, call("/updates", adds(0, CAP))).onOpen().accept(sink);
        assertEquals(CAP, drainUntil(sink, "application/alto-costmap+json,", CAP).size());
        publisher.accept(CM, costMap(6, T0.plusSeconds(1)));
        List<String> patches = drainUntil(sink, "application/merge-patch+json,", CAP);
        settle();
        List<String> ids = new ArrayList<>();
        for (String p : patches) {
            assertTrue(p.contains("data: {\"cost-map\":{\"PID1\":{\"PID2\":6}}}"), p);
            ids.add(p.substring("event: application/merge-patch+json,".length(), p.indexOf('\n')));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            expected.add("s" + i);
        }
        assertEquals(expected, ids, "each substream once, in the order they were added");
        assertTrue(sink.sent.size() > CAP * 2, "with signature events too");
    }

    @Test
    void findingTheNextSubstreamLooksAtABoundedNumberOfThemPerEvent() {
        int n = 4 * CAP;
        Map<String, Track> tracks = new HashMap<>();
        int[] lookups = {0};
        Function<String, Track> counted = key -> {
            lookups[0]++;
            return tracks.get(key);
        };
        Followers followers = new Followers(new QueryAnswers(Runnable::run, key -> { }, (key, e) -> { }));
        Subscription s = new Subscription("t", 0, Long.MAX_VALUE, true);
        for (int i = 0; i < n; i++) {
            String target = "/networkmap/m" + i;
            Track t = Track.document(target);
            t.update(map(target, i, 0));
            tracks.put(target, t);
            followers.follow(s, new Substream("s" + i, target, true, null));
        }
        DrainedSink sink = new DrainedSink();
        s.attach(sink);
        assertEquals(n, s.pump(counted, 0, UNBOUNDED, sub -> { }), "every substream's first version");
        for (int change = 1; change <= 20; change++) {
            // One document changes at a time, a different one each time, anywhere among the n.
            String target = "/networkmap/m" + (change * 97 % n);
            tracks.get(target).update(map(target, change * 97 % n, change));
            followers.changed(target);
            lookups[0] = 0;
            assertEquals(1, s.pump(counted, 0, UNBOUNDED, sub -> { }), "the changed document's substream alone");
            assertTrue(lookups[0] <= 3, "tracks looked at for one event among " + n + " substreams: " + lookups[0]);
        }
        lookups[0] = 0;
        assertEquals(0, s.pump(counted, 0, UNBOUNDED, sub -> { }));
        assertTrue(lookups[0] <= 1, "nothing due, nothing looked at: " + lookups[0]);
    }

    @Test
    void substreamsDueAtOnceGoInTheOrderTheyWereAddedWhateverTheOrderOfTheChanges() {
        Map<String, Track> tracks = new HashMap<>();
        Followers followers = new Followers(new QueryAnswers(Runnable::run, key -> { }, (key, e) -> { }));
        Subscription s = new Subscription("t", 0, Long.MAX_VALUE, false);
        for (int i = 0; i < 10; i++) {
            String target = "/networkmap/m" + i;
            Track t = Track.document(target);
            t.update(map(target, i, 0));
            tracks.put(target, t);
            followers.follow(s, new Substream("s" + i, target, false, null));
        }
        DrainedSink sink = new DrainedSink();
        s.attach(sink);
        assertEquals(10, s.pump(tracks::get, 0, UNBOUNDED, sub -> { }));
        sink.sent.clear();
        for (int i = 9; i >= 0; i--) {
            String target = "/networkmap/m" + i;
            tracks.get(target).update(map(target, i, 1));
            followers.changed(target);
        }
        assertEquals(10, s.pump(tracks::get, 0, UNBOUNDED, sub -> { }));
        List<String> ids = new ArrayList<>();
        sink.sent.forEach(e -> ids.add(e.substring("event: application/alto-networkmap+json,".length(), e.indexOf('\n'))));
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"), ids);
    }

    private static org.rproxy.core.store.Representation map(String target, int i, int version) {
        return signed(target, "m" + i, "application/alto-networkmap+json",
                "{\"network-map\":{\"P\":{\"ipv4\":[\"10." + i % 256 + "." + version + ".0/24\"]}}}",
                T0.plusSeconds(version));
    }
}
