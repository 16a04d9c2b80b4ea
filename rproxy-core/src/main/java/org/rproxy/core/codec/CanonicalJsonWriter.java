package org.rproxy.core.codec;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * Writes RFC 8785 canonical JSON as it goes, for a writer that already holds its members in
 * canonical order: the same bytes as {@link Jcs#canonicalize} of the same value, without a tree
 * to build and sort first. What answers computed per request (a filtered cost map) are written
 * with, straight to UTF-8 bytes ({@link Utf8Json}); {@link Jcs} writes to the same buffer, so
 * both share one escaping and one number form.
 *
 * <p>The caller gives the members of each object in the order of the UTF-16 code units of their
 * names (RFC 8785 §3.2.3), which is {@link String#compareTo}; a name out of order or repeated is a
 * bug in the caller and is refused with {@link IllegalStateException}, as is a value where a name
 * is due or an unbalanced end. Not thread-safe: one writer per document.
 */
public final class CanonicalJsonWriter {
    private final Utf8Json out;
    /** Per open container: whether it is an array (else an object). */
    private boolean[] array = new boolean[8];
    /** Per open object: the last member name written, null before the first. */
    private String[] last = new String[8];
    /** Per open container: whether it has a member or an element yet. */
    private boolean[] started = new boolean[8];
    private int depth;
    /** An object member's name was written and its value is due. */
    private boolean nameWritten;

    /** A writer whose buffer starts at {@code capacity} bytes. */
    public CanonicalJsonWriter(int capacity) {
        out = new Utf8Json(capacity);
    }

    public CanonicalJsonWriter beginObject() {
        beforeValue();
        out.ascii('{');
        push(false);
        return this;
    }

    public CanonicalJsonWriter endObject() {
        if (depth == 0 || array[depth - 1] || nameWritten) {
            throw new IllegalStateException("no object to end here");
        }
        depth--;
        out.ascii('}');
        return this;
    }

    public CanonicalJsonWriter beginArray() {
        beforeValue();
        out.ascii('[');
        push(true);
        return this;
    }

    public CanonicalJsonWriter endArray() {
        if (depth == 0 || !array[depth - 1]) {
            throw new IllegalStateException("no array to end here");
        }
        depth--;
        out.ascii(']');
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
            out.ascii(',');
        }
        started[depth - 1] = true;
        last[depth - 1] = name;
        out.string(name);
        out.ascii(':');
        nameWritten = true;
        return this;
    }

    public CanonicalJsonWriter value(String value) {
        requireNonNull(value, "value");
        beforeValue();
        out.string(value);
        return this;
    }

    /** A finite number in its ECMAScript form (RFC 8785 §3.2.2.3). */
    public CanonicalJsonWriter value(double value) {
        beforeValue();
        out.number(value);
        return this;
    }

    public CanonicalJsonWriter value(boolean value) {
        beforeValue();
        out.ascii(value ? "true" : "false");
        return this;
    }

    public CanonicalJsonWriter nullValue() {
        beforeValue();
        out.ascii("null");
        return this;
    }

    /**
     * The number of bytes {@link #value(String)} writes for {@code value} ({@link #name} one
     * more, its colon), so that a writer of a large document can be given its exact size, whose
     * bytes {@link #toUtf8} then returns without a copy.
     */
    public static int length(String value) {
        return Utf8Json.stringLength(requireNonNull(value, "value"));
    }

    /** The number of bytes {@link #value(double)} writes for a finite {@code value}. */
    public static int length(double value) {
        return Utf8Json.numberLength(value);
    }

    /** The UTF-8 bytes of the one complete value written: the buffer itself when it is exactly full. */
    public byte[] toUtf8() {
        if (depth != 0 || nameWritten || out.size() == 0) {
            throw new IllegalStateException("the value is not complete");
        }
        return out.toBytes();
    }

    private void beforeValue() {
        if (nameWritten) {
            nameWritten = false;
            return;
        }
        if (depth == 0) {
            if (out.size() > 0) {
                throw new IllegalStateException("one value per document");
            }
            return;
        }
        if (!array[depth - 1]) {
            throw new IllegalStateException("a value where a member name is due");
        }
        if (started[depth - 1]) {
            out.ascii(',');
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

    static AltoException syntax(String message) {
        return new AltoException(AltoError.syntax(message));
    }
}
