package org.rproxy.core.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Longest-prefix-match lookup over a {@link NetworkMap}: one hash table keyed by prefix, probed
 * for each prefix length the map uses, longest first. Built once per map version; immutable and
 * safe for concurrent readers.
 */
public final class PrefixIndex {
    private final Map<Cidr, String> owner = new HashMap<>();
    private final int[] v4Lengths;
    private final int[] v6Lengths;

    PrefixIndex(NetworkMap map) {
        TreeSet<Integer> l4 = new TreeSet<>();
        TreeSet<Integer> l6 = new TreeSet<>();
        map.pids().forEach((pid, prefixes) -> prefixes.forEach(c -> {
            owner.put(c, pid);
            (c.isV4() ? l4 : l6).add(c.length());
        }));
        v4Lengths = l4.descendingSet().stream().mapToInt(Integer::intValue).toArray();
        v6Lengths = l6.descendingSet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** The PID whose longest prefix contains {@code address}, or empty when the family is not mapped. */
    public Optional<String> pidOf(IpAddress address) {
        for (int len : address.isV4() ? v4Lengths : v6Lengths) {
            String pid = owner.get(Cidr.of(address, len));
            if (pid != null) {
                return Optional.of(pid);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "PrefixIndex[" + owner.size() + " prefixes, v4 lengths " + Arrays.toString(v4Lengths) + "]";
    }
}
