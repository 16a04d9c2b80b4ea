package org.rproxy.core.codec;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * Writes RFC 8785 canonical JSON as it goes, for a writer that already holds its members in
 * canonical order: the same bytes as {@link Jcs#canonicalize} of the same value, without a tree
 * to build and sort first. What answers computed per request (a filtered cost map) are written
 * with; {@link Jcs} writes through it too, so both share one escaping and one number form.
 *
 * <p>The caller gives the members of each object in the order of the UTF-16 code units of their
 * names (RFC 8785 §3.2.3), which is {@link String#compareTo}; a name out of order or repeated is a
 * bug in the caller and is refused with {@link IllegalStateException}, as is a value where a name
 * is due or an unbalanced end. Not thread-safe: one writer per document.
 */
public final class CanonicalJsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;
    /** Per open container: whether it is an array (else an object). */
    private boolean[] array = new boolean[8];
    /** Per open object: the last member name written, null before the first. */
    private String[] last = new String[8];
    /** Per open container: whether it has a member or an element yet. */
    private boolean[] started = new boolean[8];
    private int depth;
    /** An object member's name was written and its value is due. */
    private boolean nameWritten;

    /** A writer whose buffer starts at {@code capacity} characters. */
    public CanonicalJsonWriter(int capacity) {
        out = new StringBuilder(capacity);
    }

    public CanonicalJsonWriter beginObject() {
        beforeValue();
        out.append('{');
        push(false);
        return this;
    }

    public CanonicalJsonWriter endObject() {
        if (depth == 0 || array[depth - 1] || nameWritten) {
            throw new IllegalStateException("no object to end here");
        }
        depth--;
        out.append('}');
        return this;
    }

    public CanonicalJsonWriter beginArray() {
        beforeValue();
        out.append('[');
        push(true);
        return this;
    }

    public CanonicalJsonWriter endArray() {
        if (depth == 0 || !array[depth - 1]) {
            throw new IllegalStateException("no array to end here");
        }
        depth--;
        out.append(']');
        return this;
    }

    /** The next member's name; names within an object must come in canonical order. */
    public CanonicalJsonWriter name(String name) {
        requireNonNull(name, "name");
        if (depth == 0 || array[depth - 1] || nameWritten) {
            throw new IllegalStateException("a name outside an object: " + name);
        }
        String previous = last[depth - 1];
        if (previous != null && previous.compareTo(name) >= 0) {
            throw new IllegalStateException("member " + name + " after " + previous + " (RFC 8785 §3.2.3 order)");
        }
        if (started[depth - 1]) {
            out.append(',');
        }
        started[depth - 1] = true;
        last[depth - 1] = name;
        writeString(out, name);
        out.append(':');
        nameWritten = true;
        return this;
    }

    public CanonicalJsonWriter value(String value) {
        requireNonNull(value, "value");
        beforeValue();
        writeString(out, value);
        return this;
    }

    /** A finite number in its ECMAScript form (RFC 8785 §3.2.2.3). */
    public CanonicalJsonWriter value(double value) {
        beforeValue();
        writeNumber(out, value);
        return this;
    }

    public CanonicalJsonWriter value(boolean value) {
        beforeValue();
        out.append(value ? "true" : "false");
        return this;
    }

    public CanonicalJsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** The UTF-8 bytes of the one complete value written. */
    public byte[] toUtf8() {
        if (depth != 0 || nameWritten || out.length() == 0) {
            throw new IllegalStateException("the value is not complete");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void beforeValue() {
        if (nameWritten) {
            nameWritten = false;
            return;
        }
        if (depth == 0) {
            if (out.length() > 0) {
                throw new IllegalStateException("one value per document");
            }
            return;
        }
        if (!array[depth - 1]) {
            throw new IllegalStateException("a value where a member name is due");
        }
        if (started[depth - 1]) {
            out.append(',');
        }
        started[depth - 1] = true;
    }

    private void push(boolean isArray) {
        if (depth == last.length) {
            array = Arrays.copyOf(array, depth * 2);
            last = Arrays.copyOf(last, depth * 2);
            started = Arrays.copyOf(started, depth * 2);
        }
        array[depth] = isArray;
        last[depth] = null;
        started[depth] = false;
        depth++;
    }

    static void writeNumber(StringBuilder sb, double v) {
        if (!Double.isFinite(v)) {
            throw syntax("number out of range of an IEEE 754 double (RFC 8785 §3.2.2.3)");
        }
        sb.append(EcmaNumbers.format(v));
    }

    /** RFC 8785 §3.2.2.2; copies runs of plain characters in one call. */
    static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        int run = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw syntax("string holds a lone surrogate U+" + Integer.toHexString(c).toUpperCase());
            }
            sb.append(s, run, i);
            run = i + 1;
            escape(sb, c);
        }
        sb.append(s, run, n).append('"');
    }

    private static void escape(StringBuilder sb, char c) {
        switch (c) {
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            case '\b' -> sb.append("\\b");
            case '\f' -> sb.append("\\f");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        }
    }

    static AltoException syntax(String message) {
        return new AltoException(AltoError.syntax(message));
    }
}
