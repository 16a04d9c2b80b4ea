package org.rproxy.core.model;

import java.util.Arrays;

/**
 * An address prefix (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6), as used in network maps
 * (RFC 7285 §11.2.1.6). Host bits must be zero: {@code 10.0.0.1/8} is refused rather than
 * silently truncated, because an operator who wrote it most likely meant something else.
 * Immutable.
 */
public final class Cidr implements Comparable<Cidr> {
    private final IpAddress address;
    private final int length;

    private Cidr(IpAddress address, int length) {
        this.address = address;
        this.length = length;
    }

    /**
     * Parses {@code 128.36.1.0/24} or {@code 2001:db8::/32}.
     *
     * @param v6 whether the prefix is expected to be IPv6 (the JSON dialect keys prefixes by family)
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} naming {@code field}
     */
    public static Cidr parse(String text, boolean v6, String field) {
        if (text == null) {
            throw new AltoException(AltoError.missingField(field));
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new AltoException(AltoError.invalidValue(field, text, "prefix must be ADDRESS/LENGTH"));
        }
        String addr = text.substring(0, slash);
        IpAddress a = v6 ? IpAddress.parseV6(addr, text, field) : IpAddress.parseV4(addr, text, field);
        int len;
        try {
            String l = text.substring(slash + 1);
            if (l.length() > 3 || (l.length() > 1 && l.charAt(0) == '0')) {
                throw new NumberFormatException(l);
            }
            len = Integer.parseInt(l);
        } catch (NumberFormatException e) {
            throw new AltoException(AltoError.invalidValue(field, text, "prefix length is not a number"));
        }
        if (len < 0 || len > a.bits()) {
            throw new AltoException(AltoError.invalidValue(field, text,
                    "prefix length " + len + " (expected: 0-" + a.bits() + ")"));
        }
        Cidr c = new Cidr(a, len);
        if (!c.hostBitsZero()) {
            throw new AltoException(AltoError.invalidValue(field, text, "host bits set beyond the prefix length"));
        }
        return c;
    }

    /** The prefix of the given length that contains {@code address} (host bits cleared). */
    public static Cidr of(IpAddress address, int length) {
        if (length < 0 || length > address.bits()) {
            throw new IllegalArgumentException("length: " + length + " (expected: 0-" + address.bits() + ")");
        }
        byte[] b = address.toBytes();
        for (int i = length; i < b.length * 8; i++) {
            b[i >>> 3] &= (byte) ~(0x80 >>> (i & 7));
        }
        return new Cidr(IpAddress.of(b), length);
    }

    private boolean hostBitsZero() {
        for (int i = length; i < address.bits(); i++) {
            if (address.bit(i) != 0) {
                return false;
            }
        }
        return true;
    }

    public IpAddress address() {
        return address;
    }

    public int length() {
        return length;
    }

    public boolean isV4() {
        return address.isV4();
    }

    /** True when {@code a} is of the same family and inside this prefix. */
    public boolean contains(IpAddress a) {
        if (a.isV4() != isV4()) {
            return false;
        }
        byte[] mine = address.bytesUnsafe();
        byte[] theirs = a.bytesUnsafe();
        int full = length >>> 3;
        for (int i = 0; i < full; i++) {
            if (mine[i] != theirs[i]) {
                return false;
            }
        }
        int rest = length & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (mine[full] & mask) == (theirs[full] & mask);
    }

    @Override
    public int compareTo(Cidr o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(length, o.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && length == c.length && address.equals(c.address);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 131 + length;
    }

    /** {@code ADDRESS/LENGTH}, IPv6 compressed. */
    @Override
    public String toString() {
        return address.toLiteral() + "/" + length;
    }

    static boolean sameBytes(Cidr a, Cidr b) {
        return Arrays.equals(a.address.bytesUnsafe(), b.address.bytesUnsafe());
    }
}
