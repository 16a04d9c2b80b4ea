package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

import org.rproxy.core.model.Bytes;

/**
 * Reads Server-Sent Events from a byte stream fed in arbitrary pieces (WHATWG HTML §9.2.6):
 * one leading byte order mark (U+FEFF) is ignored; lines end at CR, LF or CRLF; a blank line dispatches the event; {@code :} starts a comment;
 * {@code event} and {@code data} are kept, other fields ignored; one space after the colon is
 * dropped; data lines are joined with LF. An event with no data is not dispatched. Comments are
 * reported separately (heartbeats). One instance per stream; not thread-safe.
 *
 * <p>A line longer than {@code maxLine} or an event whose data exceeds {@code maxEvent} bytes
 * fails the stream with {@link MalformedStreamException} (an {@link IllegalStateException}): a
 * hostile upstream cannot make it buffer without bound.
 */
public final class SseParser {

    /** One dispatched event: its type ({@code message} when none was named) and data. */
    public record Event(String type, Bytes data) {
        public Event {
            requireNonNull(type, "type");
            requireNonNull(data, "data");
        }
    }

    private final Consumer<Event> events;
    private final Runnable comments;
    private final int maxEvent;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final ByteArrayOutputStream data = new ByteArrayOutputStream(1024);
    private String type;
    private boolean hasData;
    private boolean lastWasCr;
    /** Until the first line ends: a U+FEFF at its start is the stream's byte order mark, not a field's. */
    private boolean firstLine = true;

    public SseParser(int maxEvent, Consumer<Event> events, Runnable comments) {
        this.maxEvent = maxEvent;
        this.events = requireNonNull(events, "events");
        this.comments = requireNonNull(comments, "comments");
    }

    /** Feeds {@code len} bytes of {@code b} from {@code off}. */
    public void feed(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            byte c = b[i];
            if (c == '\n' || c == '\r') {
                if (!(c == '\n' && lastWasCr)) {
                    endLine();
                }
                lastWasCr = c == '\r';
                i++;
                continue;
            }
            lastWasCr = false;
            // The rest of the line in one copy: a subscriber's CPU goes here, byte by byte it was a quarter of it.
            int start = i;
            while (i < end && b[i] != '\n' && b[i] != '\r') {
                i++;
            }
            if (line.size() + (i - start) > maxEvent) {
                throw new MalformedStreamException("event stream line longer than " + maxEvent + " bytes");
            }
            line.write(b, start, i - start);
        }
    }

    private void endLine() {
        byte[] l = line.toByteArray();
        line.reset();
        if (firstLine) {
            firstLine = false;
            if (l.length >= 3 && l[0] == (byte) 0xef && l[1] == (byte) 0xbb && l[2] == (byte) 0xbf) {
                l = Arrays.copyOfRange(l, 3, l.length);
            }
        }
        if (l.length == 0) {
            dispatch();
            return;
        }
        if (l[0] == ':') {
            comments.run();
            return;
        }
        int colon = indexOf(l, (byte) ':');
        String field = new String(l, 0, colon < 0 ? l.length : colon, StandardCharsets.UTF_8);
        int start = colon < 0 ? l.length : colon + 1;
        if (start < l.length && l[start] == ' ') {
            start++;
        }
        switch (field) {
            case "event" -> type = new String(l, start, l.length - start, StandardCharsets.UTF_8);
            case "data" -> appendData(l, start);
            default -> {
                // id, retry and unknown fields mean nothing here
            }
        }
    }

    private void appendData(byte[] l, int start) {
        if (data.size() + l.length - start + 1 > maxEvent) {
            throw new MalformedStreamException("event stream event larger than " + maxEvent + " bytes");
        }
        if (hasData) {
            data.write('\n');
        }
        data.write(l, start, l.length - start);
        hasData = true;
    }

    private void dispatch() {
        String t = type == null || type.isEmpty() ? "message" : type;
        boolean any = hasData;
        Bytes d = Bytes.wrap(data.toByteArray());
        type = null;
        hasData = false;
        data.reset();
        if (any) {
            events.accept(new Event(t, d));
        }
    }

    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
