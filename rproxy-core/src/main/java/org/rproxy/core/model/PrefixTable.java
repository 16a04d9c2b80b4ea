package org.rproxy.core.model;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * The prefixes of one address family as an open-addressing hash table of 128-bit keys (an IPv4
 * address in the top 32 bits), probed once per prefix length the family uses, longest first: what
 * {@link PrefixIndex} looks an address up in without allocating. Immutable once built; safe for
 * concurrent readers.
 */
final class PrefixTable {
    private final long[] his;
    private final long[] los;
    private final int[] lengths;
    private final String[] pids;
    private final int mask;
    /** The prefix lengths present, longest first. */
    private final int[] probe;

    /** A table of {@code prefixes[i]} (of one family) owned by {@code owners[i]}. */
    PrefixTable(Cidr[] prefixes, String[] owners) {
        int size = Integer.highestOneBit(Math.max(2, prefixes.length * 2 + 1) - 1) << 1;
        his = new long[size];
        los = new long[size];
        lengths = new int[size];
        Arrays.fill(lengths, -1);
        pids = new String[size];
        mask = size - 1;
        TreeSet<Integer> used = new TreeSet<>();
        for (int i = 0; i < prefixes.length; i++) {
            byte[] b = prefixes[i].address().bytesUnsafe();
            long hi = b.length == 4 ? word(b, 0) << 32 : word(b, 0) << 32 | word(b, 4);
            long lo = b.length == 4 ? 0 : word(b, 8) << 32 | word(b, 12);
            int len = prefixes[i].length();
            int slot = hash(hi, lo, len) & mask;
            while (lengths[slot] >= 0) {
                slot = (slot + 1) & mask;
            }
            his[slot] = hi;
            los[slot] = lo;
            lengths[slot] = len;
            pids[slot] = owners[i];
            used.add(len);
        }
        probe = used.descendingSet().stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The slot of the longest prefix holding the address {@code hi}:{@code lo} (the 128 bits of an
     * IPv6 address, or an IPv4 address in the top 32 bits of {@code hi}), or -1 when none does.
     */
    int longest(long hi, long lo) {
        for (int len : probe) {
            long h = len == 0 ? 0 : len >= 64 ? hi : hi & (-1L << (64 - len));
            long l = len <= 64 ? 0 : len == 128 ? lo : lo & (-1L << (128 - len));
            int slot = hash(h, l, len) & mask;
            while (lengths[slot] >= 0) {
                if (lengths[slot] == len && his[slot] == h && los[slot] == l) {
                    return slot;
                }
                slot = (slot + 1) & mask;
            }
        }
        return -1;
    }

    String pid(int slot) {
        return pids[slot];
    }

    int length(int slot) {
        return lengths[slot];
    }

    int[] lengths() {
        return probe.clone();
    }

    /** The unsigned 32-bit word at {@code at}. */
    static long word(byte[] b, int at) {
        return (b[at] & 0xffL) << 24 | (b[at + 1] & 0xffL) << 16 | (b[at + 2] & 0xffL) << 8 | (b[at + 3] & 0xffL);
    }

    private static int hash(long hi, long lo, int len) {
        long h = (hi * 0x9E3779B97F4A7C15L + lo) * 0xC2B2AE3D27D4EB4FL + len;
        h ^= h >>> 29;
        h *= 0x94D049BB133111EBL;
        return (int) (h ^ (h >>> 32));
    }
}
