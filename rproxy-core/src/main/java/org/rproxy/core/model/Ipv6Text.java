package org.rproxy.core.model;

import java.util.Arrays;

/**
 * The text forms of an IPv6 address (RFC 4291 §2.2), read by hand: eight groups of one to four
 * hex digits separated by colons, one {@code ::} standing for one or more groups of zeros, and
 * optionally the last 32 bits as an IPv4 dotted quad written as {@link IpAddress} reads one (no
 * leading zeros). Nothing else: no zone ({@code %eth0}), no brackets, no spaces.
 *
 * <p>Not {@code InetAddress.getByName}: it takes a text it cannot read as a literal (one starting
 * with a dot, say {@code .:1}) for a host name and asks the resolver, so every endpoint address a
 * client sent could be a name lookup on a query thread. It also reads more than RFC 4291 writes
 * (five hex digits, {@code 01.2.3.4}). Stateless; any thread.
 */
final class Ipv6Text {
    /** The longest text: eight groups of four digits would be 39; six and a dotted quad, 45. */
    private static final int MAX_LENGTH = 45;

    private Ipv6Text() {
    }

    /** The 16 bytes {@code s} writes, or null when it is not an IPv6 address in RFC 4291 §2.2 form. */
    static byte[] parse(String s) {
        int n = s.length();
        if (n < 2 || n > MAX_LENGTH) {
            return null;
        }
        byte[] out = new byte[16];
        int groups = 0;
        int gap = -1; // the number of groups before "::", when there is one
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return out;
            }
        }
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 5 && hex(s.charAt(i)) >= 0) {
                value = value * 16 + hex(s.charAt(i));
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                // the dotted quad: the last 32 bits, so the end of the text
                if (groups > 6 || !dotted(s, start, out, 2 * groups)) {
                    return null;
                }
                groups += 2;
                break;
            }
            if (i == start || i - start > 4 || groups == 8) {
                return null;
            }
            out[2 * groups] = (byte) (value >>> 8);
            out[2 * groups + 1] = (byte) value;
            groups++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':' || ++i == n) {
                return null; // a stray character, or a text ending in one colon
            }
            if (s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null; // "::" twice
                }
                gap = groups;
                if (++i == n) {
                    break;
                }
            }
        }
        if (gap < 0) {
            return groups == 8 ? out : null;
        }
        if (groups == 8) {
            return null; // "::" stands for at least one group
        }
        int after = groups - gap;
        System.arraycopy(out, 2 * gap, out, 16 - 2 * after, 2 * after);
        Arrays.fill(out, 2 * gap, 16 - 2 * after, (byte) 0);
        return out;
    }

    /** The value of an ASCII hex digit, else -1 ({@link Character#digit} takes other scripts' digits too). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** Reads {@code d.d.d.d} from {@code from} to the end of {@code s} into {@code out} at {@code at}. */
    private static boolean dotted(String s, int from, byte[] out, int at) {
        int part = 0;
        int value = -1;
        for (int i = from; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (value == 0) {
                    return false; // a leading zero
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return false;
                }
            } else if (c == '.' && value >= 0 && part < 4) {
                out[at + part++] = (byte) value;
                value = -1;
            } else {
                return false;
            }
        }
        return part == 4;
    }
}
