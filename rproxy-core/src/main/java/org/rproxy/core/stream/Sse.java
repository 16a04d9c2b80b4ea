package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.rproxy.core.model.Bytes;

/**
 * Writes Server-Sent Events (WHATWG HTML §9.2, as RFC 8895 §5 uses them): {@code event:} naming
 * the media type and the substream id, then the body as {@code data:} lines. A body is split at
 * each LF and every piece becomes one {@code data:} line, so a reader that joins the lines with LF
 * and drops the final one gets the exact bytes back; JSON in RFC 8785 form holds no raw line
 * break at all. A body holding a CR cannot travel this way (readers take CR for a line end) and
 * is refused by {@link #travels}. Stateless.
 */
public final class Sse {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private Sse() {
    }

    /** True when {@code body} survives the trip as {@code data:} lines: no CR. */
    public static boolean travels(Bytes body) {
        for (byte b : body.unsafeArray()) {
            if (b == '\r') {
                return false;
            }
        }
        return true;
    }

    /** {@code body} as {@code data:} lines followed by the blank line that ends the event. */
    public static Bytes dataLines(Bytes body) {
        byte[] in = body.unsafeArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 16);
        int start = 0;
        for (int i = 0; i <= in.length; i++) {
            if (i == in.length || in[i] == '\n') {
                out.write(DATA, 0, DATA.length);
                out.write(in, start, i - start);
                out.write('\n');
                start = i + 1;
            }
        }
        out.write('\n');
        return Bytes.wrap(out.toByteArray());
    }

    /** The {@code event:} line for {@code mediaType} and {@code substreamId} (RFC 8895 §5.2). */
    public static Bytes eventLine(String mediaType, String substreamId) {
        requireNonNull(mediaType, "mediaType");
        String type = substreamId == null ? mediaType : mediaType + "," + substreamId;
        return Bytes.wrap(("event: " + type + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A whole event, in one piece. */
    public static Bytes event(String mediaType, String substreamId, Bytes body) {
        Bytes head = eventLine(mediaType, substreamId);
        Bytes data = dataLines(body);
        byte[] all = new byte[head.length() + data.length()];
        System.arraycopy(head.unsafeArray(), 0, all, 0, head.length());
        System.arraycopy(data.unsafeArray(), 0, all, head.length(), data.length());
        return Bytes.wrap(all);
    }
}
