package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;


import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;

/** {@link Reply.Stream}: chunked text/event-stream, heartbeats instead of the idle timeout, teardown on every path. */
class EventStreamTest {

    private static final Duration HEARTBEAT = Duration.ofSeconds(2);

    private final AtomicReference<StreamSink> sink = new AtomicReference<>();
    private final AtomicInteger closes = new AtomicInteger();
    private final EmbeddedFrontEnd wire = new EmbeddedFrontEnd(
            FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(Duration.ofSeconds(5)),
            request -> request.path().equals("/done")
                    ? CompletableFuture.completedFuture(new Reply.NoContent())
                    : request.path().equals("/stream")
                    ? CompletableFuture.completedFuture(new Reply.Stream(HEARTBEAT, s -> {
                        s.onClose(closes::incrementAndGet);
                        sink.set(s);
                    }))
                    : CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly())));
    private final EmbeddedChannel channel = wire.channel();

    @AfterEach
    void closeClient() {
        wire.closeClient();
    }

    /** Everything the server wrote since the last call, as text. */
    private String written() {
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void theHeadSaysEventStreamAndEachSendIsOneChunk() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        String head = written();
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
        assertTrue(head.contains("content-type: text/event-stream\r\n"), head);
        assertTrue(head.contains("transfer-encoding: chunked\r\n"), head);
        assertTrue(head.contains("cache-control: no-store\r\n"), head);
        assertTrue(sink.get().send(Bytes.utf8("event: a\n"), Bytes.utf8("data: 1\n\n")));
        channel.runPendingTasks();
        assertEquals("12\r\nevent: a\ndata: 1\n\n\r\n", written());
        sink.get().close();
        channel.runPendingTasks();
        assertEquals("0\r\n\r\n", written());
        assertFalse(channel.isOpen());
        assertEquals(1, closes.get());
        assertFalse(sink.get().send(Bytes.utf8("late")));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noContentIsA204WithoutABodyAndTheConnectionStaysUsable() {
        wire.sendRaw("POST /done HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        EmbeddedFrontEnd.Answer a = wire.answer();
        assertEquals(204, a.status());
        assertEquals(0, a.body().length);
        assertEquals("no-store", a.header("cache-control"));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aSilentStreamGetsHeartbeatsAndOutlivesTheIdleTimeout() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        written();
        for (int i = 0; i < 5; i++) {
            channel.advanceTimeBy(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
        }
        String beats = written();
        assertEquals(5, beats.split("3\r\n:\n\n\r\n", -1).length - 1, beats);
        assertTrue(channel.isOpen(), "10 s of stream, past a 5 s idle timeout");
        assertTrue(sink.get().isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noHeartbeatFollowsARecentWrite() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        written();
        channel.advanceTimeBy(HEARTBEAT.toMillis() - 100, TimeUnit.MILLISECONDS);
        sink.get().send(Bytes.utf8("data: x\n\n"));
        channel.runPendingTasks();
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(written().contains(":\n\n"), "a write 100 ms ago needs no heartbeat");
        assertFalse(channel.finishAndReleaseAll());
    }

    /**
     * No silence lasts longer than a heartbeat, however the writes fall: a write 100 ms after the
     * stream opened is followed by a heartbeat a heartbeat later. The timer ran at a fixed rate,
     * so the tick 1.9 s after that write skipped and the next came 3.9 s after it: nearly two
     * heartbeats, the push feed's default read timeout, which took the quiet stream for a dead one
     * ("lost (no heartbeat within the read timeout)", five times in 40 minutes of a live tree).
     */
    @Test
    void aWriteBetweenTicksIsFollowedByAHeartbeatOneHeartbeatLater() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        written();
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        sink.get().send(Bytes.utf8("data: x\n\n"));
        channel.runPendingTasks();
        written();
        channel.advanceTimeBy(HEARTBEAT.toMillis() - 100, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("", written(), "1.9 s after the write: no heartbeat yet");
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("3\r\n:\n\n\r\n", written(), "a heartbeat 2 s after the write");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void thePeerLeavingEndsTheStreamAndStopsTheHeartbeat() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        written();
        channel.close();
        assertEquals(1, closes.get());
        assertFalse(sink.get().isOpen());
        assertFalse(sink.get().isWritable());
        assertFalse(sink.get().send(Bytes.utf8("data: x\n\n")));
        AtomicInteger late = new AtomicInteger();
        sink.get().onClose(late::incrementAndGet);
        assertEquals(1, late.get(), "a callback added after the end runs at once");
        channel.advanceTimeBy(60, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void requestsPipelinedBehindTheStreamAreDropped() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\nGET /doc HTTP/1.1\r\nHost: h\r\n\r\n");
        String out = written();
        assertEquals(1, out.split("HTTP/1.1 ", -1).length - 1, out);
        wire.sendRaw("GET /doc HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals("", written());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anHttp10StreamIsWrittenRawAndDelimitedByTheClose() {
        wire.sendRaw("POST /stream HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
        String head = written();
        assertFalse(head.contains("transfer-encoding"), head);
        sink.get().send(Bytes.utf8("data: 1\n\n"));
        channel.runPendingTasks();
        assertEquals("data: 1\n\n", written());
        sink.get().close();
        channel.runPendingTasks();
        channel.runPendingTasks();
        assertEquals("", written());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aSendBeyondTheWindowSignalsWritableOnceItDrained() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        written();
        AtomicInteger writable = new AtomicInteger();
        StreamSink s = sink.get();
        s.onWritable(writable::incrementAndGet);
        assertTrue(s.isWritable());
        s.send(Bytes.wrap(new byte[(int) EventStreamWriter.WINDOW_BYTES]));
        channel.runPendingTasks();
        assertTrue(s.isWritable());
        assertEquals(0, s.pendingBytes());
        assertEquals(1, writable.get());
        s.send(Bytes.utf8("data: small\n\n"));
        channel.runPendingTasks();
        assertEquals(1, writable.get(), "a write within the window signals nothing");
        written();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void eachSendIsToldWrittenOnceWithItsSize() {
        wire.sendRaw("POST /stream HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        written();
        java.util.List<Long> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        StreamSink s = sink.get();
        s.onWritten(told::add);
        assertTrue(s.send(Bytes.utf8("event: a\n"), Bytes.utf8("data: 1\n\n")));
        assertTrue(s.send(Bytes.utf8("data: 22\n\n")));
        channel.runPendingTasks();
        written();
        assertEquals(java.util.List.of(18L, 10L), told, "each send's size, once, after its write");
        s.close();
        channel.runPendingTasks();
        written();
        assertFalse(s.send(Bytes.utf8("late")));
        assertEquals(2, told.size(), "a send refused is not told");
        assertFalse(channel.finishAndReleaseAll());
    }
}
