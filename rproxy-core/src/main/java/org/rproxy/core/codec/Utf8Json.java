package org.rproxy.core.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The output of {@link CanonicalJsonWriter} and {@link Jcs}: a growable array of UTF-8 bytes
 * that JSON text is written to directly, with RFC 8785's string escaping (§3.2.2.2) and number
 * form (§3.2.2.3), so that a document is held once while written and copied once to its exact
 * size, rather than held as characters, then as a {@code String}, then as bytes. Integers below
 * 2^53, the common case in cost maps, are written digit by digit. Not thread-safe.
 */
final class Utf8Json {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final double TWO_POW_53 = 9007199254740992d;

    private byte[] buf;
    private int size;

    Utf8Json(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    int size() {
        return size;
    }

    /** One ASCII character. */
    Utf8Json ascii(char c) {
        room(1);
        buf[size++] = (byte) c;
        return this;
    }

    /** ASCII text (punctuation, literals, number digits). */
    Utf8Json ascii(String s) {
        int n = s.length();
        room(n);
        for (int i = 0; i < n; i++) {
            buf[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** A JSON string, RFC 8785 §3.2.2.2; refuses a lone surrogate. */
    Utf8Json string(String s) {
        int n = s.length();
        room(n + 2);
        buf[size++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                room(1);
                buf[size++] = (byte) c;
            } else if (c < 0x20 || c == '"' || c == '\\') {
                escape(c);
            } else if (c < 0x800) {
                room(2);
                buf[size++] = (byte) (0xc0 | c >> 6);
                buf[size++] = (byte) (0x80 | c & 0x3f);
            } else if (!Character.isSurrogate(c)) {
                room(3);
                buf[size++] = (byte) (0xe0 | c >> 12);
                buf[size++] = (byte) (0x80 | c >> 6 & 0x3f);
                buf[size++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                room(4);
                buf[size++] = (byte) (0xf0 | cp >> 18);
                buf[size++] = (byte) (0x80 | cp >> 12 & 0x3f);
                buf[size++] = (byte) (0x80 | cp >> 6 & 0x3f);
                buf[size++] = (byte) (0x80 | cp & 0x3f);
            } else {
                throw CanonicalJsonWriter.syntax("string holds a lone surrogate U+" + Integer.toHexString(c).toUpperCase());
            }
        }
        room(1);
        buf[size++] = '"';
        return this;
    }

    /** A finite number in its ECMAScript form (RFC 8785 §3.2.2.3). */
    Utf8Json number(double v) {
        if (!Double.isFinite(v)) {
            throw CanonicalJsonWriter.syntax("number out of range of an IEEE 754 double (RFC 8785 §3.2.2.3)");
        }
        if (Math.abs(v) < TWO_POW_53 && v == Math.rint(v)) {
            long l = (long) v; // -0.0 gives 0, as ECMAScript writes it
            room(17);
            if (l < 0) {
                buf[size++] = '-';
                l = -l;
            }
            int start = size;
            do {
                buf[size++] = (byte) ('0' + l % 10);
                l /= 10;
            } while (l != 0);
            for (int i = start, j = size - 1; i < j; i++, j--) {
                byte t = buf[i];
                buf[i] = buf[j];
                buf[j] = t;
            }
            return this;
        }
        return ascii(EcmaNumbers.format(v));
    }

    /**
     * The bytes written: the buffer itself when they fill it (a writer sized by {@link
     * #stringLength} and {@link #numberLength} is not copied), else a copy of their exact length.
     * Nothing is written after.
     */
    byte[] toBytes() {
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    /** The number of bytes {@link #string} writes for {@code s} (a lone surrogate, which it refuses, as one). */
    static int stringLength(String s) {
        int n = s.length();
        int bytes = 2;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80) {
                bytes += c == '"' || c == '\\' ? 2 : 1;
            } else if (c < 0x20) {
                bytes += c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 2 : 6;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The number of bytes {@link #number} writes for a finite {@code v}. */
    static int numberLength(double v) {
        if (Math.abs(v) < TWO_POW_53 && v == Math.rint(v)) {
            long l = (long) v;
            int digits = l < 0 ? 2 : 1;
            for (l = Math.abs(l); l >= 10; l /= 10) {
                digits++;
            }
            return digits;
        }
        return EcmaNumbers.format(v).length();
    }

    private void escape(char c) {
        switch (c) {
            case '"' -> ascii("\\\"");
            case '\\' -> ascii("\\\\");
            case '\b' -> ascii("\\b");
            case '\f' -> ascii("\\f");
            case '\n' -> ascii("\\n");
            case '\r' -> ascii("\\r");
            case '\t' -> ascii("\\t");
            default -> {
                ascii("\\u00");
                room(2);
                buf[size++] = HEX[c >> 4];
                buf[size++] = HEX[c & 0xf];
            }
        }
    }

    private void room(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(size + n, buf.length * 2));
        }
    }
}
