package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;

/** The SSE writer and reader of the WHATWG event-stream format, as RFC 8895 §5 uses it. */
class SseTest {

    private final List<SseParser.Event> events = new ArrayList<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final SseParser parser = new SseParser(1 << 20, events::add, comments::incrementAndGet);

    private void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        parser.feed(b, 0, b.length);
    }

    @Test
    void anEventIsItsTypeLineAndOneDataLinePerLine() {
        Bytes e = Sse.event("application/alto-networkmap+json", "nm", Bytes.utf8("{\"a\":1}"));
        assertEquals("event: application/alto-networkmap+json,nm\ndata: {\"a\":1}\n\n", e.asUtf8());
        assertEquals("data: <a>\ndata:  b\ndata: \n\n", Sse.dataLines(Bytes.utf8("<a>\n b\n")).asUtf8());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":\"x\\ny\"}", "<?xml version=\"1.0\"?>\n<alto>\n  <pids/>\n</alto>\n", "\n\nx", "", " lead", "a\n\n\nb\n"})
    void whatIsWrittenIsReadBackByteForByte(String body) {
        feed(Sse.event("application/xml", "s1", Bytes.utf8(body)).asUtf8());
        assertEquals(1, events.size());
        assertEquals("application/xml,s1", events.get(0).type());
        assertEquals(body, events.get(0).data().asUtf8());
    }

    @Test
    void piecesSplitAnywhereAndAnyLineEndGiveTheSameEvents() {
        String stream = ": hello\r\nevent: a\rdata: 1\r\ndata:2\n\n:\n\nid: 7\nretry: 5\ndata: x\n\n";
        byte[] b = stream.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            parser.feed(new byte[] {x}, 0, 1);
        }
        assertEquals(2, events.size());
        assertEquals("a", events.get(0).type());
        assertEquals("1\n2", events.get(0).data().asUtf8());
        assertEquals("message", events.get(1).type());
        assertEquals("x", events.get(1).data().asUtf8());
        assertEquals(2, comments.get());
    }

    /**
     * WHATWG HTML §9.2.6: one leading U+FEFF is ignored, however the bytes are cut; the first
     * event's type was read as "\uFEFFevent", an unknown field, and the event came as a
     * "message" that names no substream. Only the first one, only at the start.
     */
    @Test
    void oneLeadingByteOrderMarkIsIgnoredWhereverTheStreamIsCut() {
        byte[] b = "\uFEFFevent: a\ndata: 1\n\n\uFEFFevent: b\ndata: 2\n\n".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= 4; cut++) {
            List<SseParser.Event> got = new ArrayList<>();
            SseParser p = new SseParser(1 << 20, got::add, () -> { });
            p.feed(b, 0, cut);
            p.feed(b, cut, b.length - cut);
            assertEquals(2, got.size(), "cut at " + cut);
            assertEquals("a", got.get(0).type(), "cut at " + cut);
            assertEquals("message", got.get(1).type(), "a mark past the start is no mark: cut at " + cut);
        }
    }

    @Test
    void anEventWithoutDataIsNotDispatched() {
        feed("event: nothing\n\n");
        assertTrue(events.isEmpty());
    }

    @Test
    void anOverlongEventFailsTheStream() {
        SseParser small = new SseParser(16, events::add, () -> { });
        byte[] b = "data: 0123456789abcdefghij\n\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IllegalStateException.class, () -> small.feed(b, 0, b.length));
    }

    @Test
    void aBodyWithACarriageReturnCannotTravel() {
        assertFalse(Sse.travels(Bytes.utf8("<a>\r\n</a>")));
        assertTrue(Sse.travels(Bytes.utf8("<a>\n</a>")));
    }
}
