package org.rproxy.harness.topology;

import java.util.SplittableRandom;

/**
 * Hands out non-overlapping IPv4 prefixes in address order from public unicast space, starting at
 * 16.0.0.0 and skipping the special-purpose blocks (RFC 6890), so a generated network map looks
 * like an ISP's and never claims loopback or private space. Lengths are mostly /24 with some /22
 * and /20, as access networks are. Deterministic for a given random source; single-threaded.
 */
final class PrefixAllocator {
    /** Special-purpose blocks above the start (address, length), in address order. */
    private static final long[][] RESERVED = {
            {ip(100, 64, 0, 0), 10}, {ip(127, 0, 0, 0), 8}, {ip(169, 254, 0, 0), 16}, {ip(172, 16, 0, 0), 12},
            {ip(192, 0, 0, 0), 24}, {ip(192, 0, 2, 0), 24}, {ip(192, 88, 99, 0), 24}, {ip(192, 168, 0, 0), 16},
            {ip(198, 18, 0, 0), 15}, {ip(198, 51, 100, 0), 24}, {ip(203, 0, 113, 0), 24},
    };
    private static final long START = ip(16, 0, 0, 0);
    private static final long END = ip(224, 0, 0, 0);

    private final SplittableRandom random;
    private long cursor = START;

    PrefixAllocator(SplittableRandom random) {
        this.random = random;
    }

    /**
     * The next prefix as {@code address << 8 | length}.
     *
     * @throws IllegalStateException when the public space is used up (about 2.5 million prefixes)
     */
    long next() {
        int r = random.nextInt(10);
        int length = r == 0 ? 20 : r < 3 ? 22 : 24;
        long size = 1L << (32 - length);
        while (true) {
            long start = (cursor + size - 1) & -size;
            if (start + size > END) {
                throw new IllegalStateException("the IPv4 public unicast space is used up; ask for fewer prefixes");
            }
            long clash = clash(start, size);
            if (clash < 0) {
                cursor = start + size;
                return (start << 8) | length;
            }
            cursor = clash;
        }
    }

    /** The end of the reserved block that {@code [start, start+size)} overlaps, or -1. */
    private static long clash(long start, long size) {
        for (long[] r : RESERVED) {
            long rs = r[0];
            long re = rs + (1L << (32 - r[1]));
            if (start < re && rs < start + size) {
                return re;
            }
        }
        return -1;
    }

    static long ip(int a, int b, int c, int d) {
        return ((long) a << 24) | ((long) b << 16) | ((long) c << 8) | d;
    }

    /** {@code a.b.c.d/len} of a value from {@link #next()}. */
    static String format(long prefix) {
        long a = prefix >>> 8;
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255)
                + "/" + (prefix & 255);
    }
}
