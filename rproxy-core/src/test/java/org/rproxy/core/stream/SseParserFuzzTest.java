package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.rproxy.core.model.Bytes;

/**
 * Fuzzes the event-stream reader with arbitrary upstream bytes. The contract: a stream either
 * parses or fails with {@link IllegalStateException} at a limit, nothing else; how the bytes are
 * cut into reads (whole, one byte at a time, or uneven pieces) changes neither the events, nor the
 * comments, nor whether and after which event it fails (a CR and its LF may arrive in different
 * reads); and every event read, written again by {@link Sse#event} when its data can travel,
 * reads back as the same event. That last read is allowed the written length: writing an event
 * may lengthen its lines past the limit the first read kept to (a {@code data:} line gains the
 * optional space; a type of invalid UTF-8 comes back as U+FFFD, three bytes a byte), and a
 * refusal at the limit is not a failed round trip. Seeds: {@code SseParserFuzzTestInputs/<method>/}.
 */
class SseParserFuzzTest {
    /** Small, so that the fuzzer reaches the line and event limits. */
    private static final int MAX_EVENT = 512;
    private static final int[] PIECES = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89};

    /** What one parse saw: events, comments, and the limit it failed at (null when it did not). */
    private record Outcome(List<SseParser.Event> events, int comments, String failure) {
    }

    @FuzzTest(maxDuration = "5m")
    void anyCutOfTheStreamReadsTheSameAndEventsRoundTrip(byte[] stream) {
        Outcome whole = parse(stream, new int[] {Math.max(1, stream.length)}, MAX_EVENT);
        assertEquals(whole, parse(stream, new int[] {1}, MAX_EVENT), "read one byte at a time");
        assertEquals(whole, parse(stream, PIECES, MAX_EVENT), "read in uneven pieces");

        for (SseParser.Event e : whole.events()) {
            assertFalse(e.type().isEmpty(), "an event without a type");
            if (!Sse.travels(e.data()) || e.type().contains(",")) {
                continue;
            }
            Bytes written = Sse.event(e.type(), null, e.data());
            Outcome again = parse(written.unsafeArray(), new int[] {written.length()}, written.length());
            assertEquals(List.of(e), again.events(), "written as " + written.asUtf8());
        }
    }

    private static Outcome parse(byte[] stream, int[] pieces, int maxEvent) {
        List<SseParser.Event> events = new ArrayList<>();
        int[] comments = {0};
        SseParser parser = new SseParser(maxEvent, events::add, () -> comments[0]++);
        int off = 0;
        for (int i = 0; off < stream.length; i++) {
            int len = Math.min(pieces[i % pieces.length], stream.length - off);
            try {
                parser.feed(stream, off, len);
            } catch (IllegalStateException limit) {
                return new Outcome(events, comments[0], limit.getMessage());
            }
            off += len;
        }
        return new Outcome(events, comments[0], null);
    }
}
