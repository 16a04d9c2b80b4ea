package org.rproxy.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Longest-prefix-match lookup over a {@link NetworkMap}: per address family, one hash table keyed
 * by prefix ({@link PrefixTable}), probed for each prefix length the family uses, longest first,
 * with the address's bits masked in place: a lookup allocates nothing. Built once per map
 * version; immutable and safe for concurrent readers.
 */
public final class PrefixIndex {
    private final PrefixTable v4;
    private final PrefixTable v6;

    PrefixIndex(NetworkMap map) {
        List<Cidr> p4 = new ArrayList<>();
        List<String> o4 = new ArrayList<>();
        List<Cidr> p6 = new ArrayList<>();
        List<String> o6 = new ArrayList<>();
        map.pids().forEach((pid, prefixes) -> prefixes.forEach(c -> {
            (c.isV4() ? p4 : p6).add(c);
            (c.isV4() ? o4 : o6).add(pid);
        }));
        v4 = new PrefixTable(p4.toArray(new Cidr[0]), o4.toArray(new String[0]));
        v6 = new PrefixTable(p6.toArray(new Cidr[0]), o6.toArray(new String[0]));
    }

    /**
     * The PID whose longest prefix contains {@code address}, or empty when the family is not mapped.
     *
     * <p>An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, {@code ::ffff:0:0/96}) stands for the
     * IPv4 node {@code a.b.c.d} (RFC 4291 §2.5.5.2): it is in the PID of that IPv4 address when an
     * IPv4 prefix holds it, so a client that writes its IPv4 peers in IPv6 form (as a dual-stack
     * socket reports them) gets the same PIDs, on an IPv4-only map as on a dual-stack one. An
     * IPv6 prefix wins only when it is longer than the IPv4 one seen as IPv6 (96 + its length):
     * an operator who wrote {@code ::ffff:198.51.100.0/120} meant those addresses. With no IPv4
     * prefix holding it, the address is looked up as IPv6, as any other.
     */
    public Optional<String> pidOf(IpAddress address) {
        return Optional.ofNullable(pidOrNull(address));
    }

    /** {@link #pidOf} without the {@code Optional}: null when no prefix contains {@code address}. */
    public String pidOrNull(IpAddress address) {
        byte[] b = address.bytesUnsafe();
        if (b.length == 4) {
            int slot = v4.longest(PrefixTable.word(b, 0) << 32, 0);
            return slot < 0 ? null : v4.pid(slot);
        }
        long hi = PrefixTable.word(b, 0) << 32 | PrefixTable.word(b, 4);
        long lo = PrefixTable.word(b, 8) << 32 | PrefixTable.word(b, 12);
        int slot = v6.longest(hi, lo);
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            int mapped = v4.longest(lo << 32, 0);
            if (mapped >= 0 && (slot < 0 || 96 + v4.length(mapped) >= v6.length(slot))) {
                return v4.pid(mapped);
            }
        }
        return slot < 0 ? null : v6.pid(slot);
    }

    @Override
    public String toString() {
        return "PrefixIndex[v4 lengths " + Arrays.toString(v4.lengths()) + ", v6 lengths "
                + Arrays.toString(v6.lengths()) + "]";
    }
}
