package org.rproxy.core.model;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address, parsed strictly from its literal form, by hand ({@link Ipv6Text}
 * for IPv6): never through {@code InetAddress}, which asks the resolver about a text it cannot
 * read as a literal.
 *
 * <p>RFC 7285 §10.4.3 writes a typed endpoint address as {@code ipv4:192.0.2.1} or
 * {@code ipv6:2001:db8::1}; {@link #parseTyped} reads that form and {@link #toTyped} writes it.
 * Immutable and safe to share between threads.
 */
public final class IpAddress implements Comparable<IpAddress> {
    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The address of the given 4 or 16 bytes (copied). */
    public static IpAddress of(byte[] bytes) {
        if (bytes.length != 4 && bytes.length != 16) {
            throw new IllegalArgumentException("bytes: " + bytes.length + " (expected: 4 or 16)");
        }
        return new IpAddress(bytes.clone());
    }

    /**
     * Parses {@code ipv4:A.B.C.D} or {@code ipv6:...}.
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} naming {@code field}
     */
    public static IpAddress parseTyped(String typed, String field) {
        if (typed == null) {
            throw new AltoException(AltoError.missingField(field));
        }
        if (typed.startsWith("ipv4:")) {
            return parseV4(typed.substring(5), typed, field);
        }
        if (typed.startsWith("ipv6:")) {
            return parseV6(typed.substring(5), typed, field);
        }
        throw new AltoException(AltoError.invalidValue(field, typed,
                "endpoint address must start with ipv4: or ipv6:"));
    }

    /** Parses a bare literal, IPv4 dotted quad or IPv6. */
    public static IpAddress parseLiteral(String literal, String field) {
        if (literal == null) {
            throw new AltoException(AltoError.missingField(field));
        }
        return literal.indexOf(':') >= 0 ? parseV6(literal, literal, field) : parseV4(literal, literal, field);
    }

    static IpAddress parseV4(String s, String original, String field) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (value == 0) {
                    throw bad(field, original, "leading zero in IPv4 address");
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    throw bad(field, original, "IPv4 octet above 255");
                }
            } else if (c == '.') {
                if (value < 0 || part == 4) {
                    throw bad(field, original, "not an IPv4 address");
                }
                out[part++] = (byte) value;
                value = -1;
            } else {
                throw bad(field, original, "not an IPv4 address");
            }
        }
        if (part != 4) {
            throw bad(field, original, "not an IPv4 address");
        }
        return new IpAddress(out);
    }

    static IpAddress parseV6(String s, String original, String field) {
        byte[] raw = Ipv6Text.parse(s);
        if (raw == null) {
            throw bad(field, original, "not an IPv6 address");
        }
        return new IpAddress(raw);
    }

    private static AltoException bad(String field, String value, String reason) {
        return new AltoException(AltoError.invalidValue(field, value, reason));
    }

    public boolean isV4() {
        return bytes.length == 4;
    }

    /** 32 or 128. */
    public int bits() {
        return bytes.length * 8;
    }

    /** The bit at {@code index}, counting from the most significant. */
    public int bit(int index) {
        return (bytes[index >>> 3] >>> (7 - (index & 7))) & 1;
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    byte[] bytesUnsafe() {
        return bytes;
    }

    /**
     * The IPv4 address an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) stands for (RFC 4291
     * §2.5.5.2), or null when this is not one.
     */
    public IpAddress mappedIpv4() {
        return !isV4() && isV4Mapped(bytes) ? new IpAddress(Arrays.copyOfRange(bytes, 12, 16)) : null;
    }

    /** {@code ipv4:...} or {@code ipv6:...}. */
    public String toTyped() {
        return (isV4() ? "ipv4:" : "ipv6:") + toLiteral();
    }

    /**
     * The literal without the type prefix; IPv6 in RFC 5952 compressed form, an IPv4-mapped
     * address ({@code ::ffff:0:0/96}) with its last 32 bits dotted as §5 recommends
     * ({@code ::ffff:192.0.2.1}), which is also how clients write it.
     */
    public String toLiteral() {
        if (isV4()) {
            return dotted(bytes, 0);
        }
        return isV4Mapped(bytes) ? "::ffff:" + dotted(bytes, 12) : v6Literal(bytes);
    }

    private static String dotted(byte[] b, int at) {
        return (b[at] & 0xff) + "." + (b[at + 1] & 0xff) + "." + (b[at + 2] & 0xff) + "." + (b[at + 3] & 0xff);
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static String v6Literal(byte[] b) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }

    @Override
    public int compareTo(IpAddress o) {
        if (bytes.length != o.bytes.length) {
            return bytes.length - o.bytes.length;
        }
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && Arrays.equals(bytes, a.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toTyped();
    }
}
