package org.rproxy.core.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable run of bytes with value equality: what a record holds instead of {@code byte[]}.
 * The array is never exposed to callers that could change it except through {@link #unsafeArray()},
 * which exists so the front end can wrap the bytes for writing without copying; callers of that
 * method promise not to modify the array.
 *
 * <p>{@link #directView()} keeps, on demand, one read-only copy of the bytes in direct memory, so
 * that a large body is written to sockets without a copy per write. It takes no part in equality.
 */
public final class Bytes {
    private static final Bytes EMPTY = new Bytes(new byte[0]);
    private static final VarHandle DIRECT;

    static {
        try {
            DIRECT = MethodHandles.lookup().findVarHandle(Bytes.class, "direct", ByteBuffer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] data;
    /** The direct copy, once made; read-only, never handed out itself (only views of it). */
    @SuppressWarnings("unused") // through DIRECT
    private volatile ByteBuffer direct;

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

    /**
     * A read-only view of a copy of these bytes in direct (off-heap) memory: position 0, limit
     * {@link #length()}, its own position and limit, so callers may move it freely. The copy is
     * made on the first call and kept for as long as this object lives; the garbage collector
     * frees it with this object. Whoever keeps a {@code Bytes} that has been asked for it holds
     * twice its length. A socket write from a heap array copies the bytes into direct memory
     * first, every time: this copy is made once.
     *
     * <p>Thread-safe and lock-free: calls racing on the first copy may each make one; one is kept,
     * and every later call returns a view of that one.
     */
    public ByteBuffer directView() {
        ByteBuffer d = (ByteBuffer) DIRECT.getAcquire(this);
        if (d == null) {
            ByteBuffer mine = ByteBuffer.allocateDirect(data.length).put(data).flip().asReadOnlyBuffer();
            ByteBuffer kept = (ByteBuffer) DIRECT.compareAndExchangeRelease(this, null, mine);
            d = kept == null ? mine : kept;
        }
        return d.duplicate();
    }

    /** True once {@link #directView()} has made the direct copy. */
    public boolean hasDirectCopy() {
        return DIRECT.getAcquire(this) != null;
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
