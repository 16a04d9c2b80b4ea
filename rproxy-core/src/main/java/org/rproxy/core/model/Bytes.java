package org.rproxy.core.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable run of bytes with value equality: what a record holds instead of {@code byte[]}.
 * The array is never exposed to callers that could change it except through {@link #unsafeArray()},
 * which exists so the front end can wrap the bytes for writing without copying; callers of that
 * method promise not to modify the array.
 */
public final class Bytes {
    private static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] data;

    private Bytes(byte[] data) {
        this.data = data;
    }

    /** A copy of {@code data}. */
    public static Bytes copyOf(byte[] data) {
        return data.length == 0 ? EMPTY : new Bytes(data.clone());
    }

    /** Takes ownership of {@code data}: the caller must not touch the array afterwards. */
    public static Bytes wrap(byte[] data) {
        return data.length == 0 ? EMPTY : new Bytes(data);
    }

    public static Bytes utf8(String s) {
        return wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    public static Bytes empty() {
        return EMPTY;
    }

    public int length() {
        return data.length;
    }

    public byte[] toArray() {
        return data.clone();
    }

    /** The backing array, not copied. Do not modify it. */
    public byte[] unsafeArray() {
        return data;
    }

    public String asUtf8() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Bytes[" + data.length + "]";
    }
}
