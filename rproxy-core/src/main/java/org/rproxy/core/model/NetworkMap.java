package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A full network map (RFC 7285 §11.2.1): PIDs and the prefixes that belong to each.
 *
 * <p>Validated when built: every PID name is legal, no prefix appears twice (in one PID or in
 * two), and the map is <em>complete</em>: for each address family it names, every address of
 * that family falls into some prefix, so that {@link #pidOf} always has an answer. Nested
 * prefixes are allowed and resolved by longest-prefix match (RFC 7285 §11.2.1.6), as in the
 * seed's map where {@code PID3} holds {@code 0.0.0.0/0}.
 *
 * @param vtag the resource id and version tag of this map
 * @param pids PID name to its prefixes, in a stable (sorted) order
 */
public record NetworkMap(VersionTag vtag, Map<String, List<Cidr>> pids) {

    public NetworkMap {
        requireNonNull(vtag, "vtag");
        requireNonNull(pids, "pids");
        if (pids.isEmpty()) {
            throw new AltoException(AltoError.invalidValue("network-map", null, "a network map needs at least one PID"));
        }
        Map<String, List<Cidr>> copy = new LinkedHashMap<>();
        for (String pid : new TreeSet<>(pids.keySet())) {
            Identifiers.pid(pid, "network-map/" + pid);
            List<Cidr> sorted = new ArrayList<>(requireNonNull(pids.get(pid), pid));
            Collections.sort(sorted);
            copy.put(pid, List.copyOf(sorted));
        }
        pids = Collections.unmodifiableMap(copy);
        checkNoDuplicates(pids);
        checkComplete(pids);
    }

    private static void checkNoDuplicates(Map<String, List<Cidr>> pids) {
        Map<Cidr, String> owner = new HashMap<>();
        pids.forEach((pid, prefixes) -> {
            for (Cidr c : prefixes) {
                String prev = owner.putIfAbsent(c, pid);
                if (prev != null) {
                    throw new AltoException(AltoError.invalidValue("network-map/" + pid, c.toString(),
                            "prefix " + c + " is also in PID " + prev + " (prefixes must not repeat)"));
                }
            }
        });
    }

    private static void checkComplete(Map<String, List<Cidr>> pids) {
        List<Cidr> v4 = new ArrayList<>();
        List<Cidr> v6 = new ArrayList<>();
        pids.values().forEach(list -> list.forEach(c -> (c.isV4() ? v4 : v6).add(c)));
        if (v4.isEmpty() && v6.isEmpty()) {
            throw new AltoException(AltoError.invalidValue("network-map", null, "the map holds no prefix"));
        }
        checkCovers(v4, 32, "ipv4");
        checkCovers(v6, 128, "ipv6");
    }

    /** The union of the prefixes must be the whole address space of the family. */
    private static void checkCovers(List<Cidr> prefixes, int bits, String family) {
        if (prefixes.isEmpty()) {
            return;
        }
        Collections.sort(prefixes);
        BigInteger next = BigInteger.ZERO;
        for (Cidr c : prefixes) {
            BigInteger start = new BigInteger(1, c.address().toBytes());
            if (start.compareTo(next) > 0) {
                throw gap(family, next, bits);
            }
            BigInteger end = start.add(BigInteger.ONE.shiftLeft(bits - c.length()));
            if (end.compareTo(next) > 0) {
                next = end;
            }
        }
        if (next.compareTo(BigInteger.ONE.shiftLeft(bits)) < 0) {
            throw gap(family, next, bits);
        }
    }

    private static AltoException gap(String family, BigInteger first, int bits) {
        byte[] raw = first.toByteArray();
        byte[] b = new byte[bits / 8];
        int n = Math.min(raw.length, b.length);
        System.arraycopy(raw, raw.length - n, b, b.length - n, n);
        return new AltoException(AltoError.invalidValue("network-map", family,
                "map is not complete: " + IpAddress.of(b).toLiteral()
                        + " falls in no PID (add a default prefix such as "
                        + (bits == 32 ? "0.0.0.0/0" : "::/0") + ")"));
    }

    /** Builds the lookup index once; the map itself stays a plain value. */
    public PrefixIndex index() {
        return new PrefixIndex(this);
    }

    /**
     * The PID of {@code address} by longest-prefix match. Builds an index each call: keep
     * {@link #index()} to look up many.
     */
    public Optional<String> pidOf(IpAddress address) {
        return index().pidOf(address);
    }

    public boolean hasPid(String pid) {
        return pids.containsKey(pid);
    }
}
