package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.NetworkMap;

/**
 * The filtered network map of RFC 7285 §11.3.1: the PIDs asked for, with only the prefixes of
 * the address types asked for. The answer is written with the full map's vtag
 * ({@code AltoJson.canonicalNetworkMap(map.vtag(), filtered)}).
 *
 * <p>Choices where RFC 7285 leaves room: a PID the map does not define is ignored (§11.3.1.6);
 * if every PID asked for is unknown the answer is empty — only a list that was empty as sent
 * means "all PIDs", so a client cannot get the whole map by asking for nonsense. A PID that is
 * asked for but has no prefix of the requested types stays in the answer with an empty group,
 * since that it exists is itself information. Pure function; any thread.
 */
public final class NetworkMapFiltering {

    private NetworkMapFiltering() {
    }

    /** PID to its prefixes of the requested types, in the map's (sorted) order. */
    public static Map<String, List<Cidr>> apply(NetworkMap map, NetworkMapFilter filter) {
        requireNonNull(map, "map");
        requireNonNull(filter, "filter");
        Iterable<String> wanted = filter.pids().isEmpty() ? map.pids().keySet() : filter.pids();
        Map<String, List<Cidr>> out = new LinkedHashMap<>();
        for (String pid : wanted) {
            List<Cidr> all = map.pids().get(pid);
            if (all != null) {
                out.put(pid, prefixes(all, filter));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<Cidr> prefixes(List<Cidr> all, NetworkMapFilter filter) {
        if (filter.includes(true) && filter.includes(false)) {
            return all;
        }
        List<Cidr> kept = new ArrayList<>(all.size());
        for (Cidr c : all) {
            if (filter.includes(c.isV4())) {
                kept.add(c);
            }
        }
        return List.copyOf(kept);
    }
}
