package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The information resource directory (IRD, RFC 7285 §9), plus this project's extension in
 * {@code meta} ({@code alto-redist}: the origin's public keys and the URLs of known RProxies;
 * RFC 7285 §8.3.7 lets clients ignore unknown fields).
 *
 * @param costTypes         cost type name to cost type (meta {@code cost-types})
 * @param defaultNetworkMap resource id of the default network map (meta {@code default-alto-network-map})
 * @param resources         resource id to entry, in id order
 * @param keys              the origin's current public keys, each {@code kid} at most once
 * @param proxies           URLs of known RProxies, possibly empty
 * @param overlay           how to find the documents in a P2P overlay ({@code alto-redist.overlay}), or null
 */
public record Directory(Map<String, CostType> costTypes, String defaultNetworkMap,
                        Map<String, InformationResource> resources, List<Jwk> keys, List<String> proxies,
                        OverlayInfo overlay) {
    /** Where the origin's keys are, in the directory's JSON form. */
    public static final String KEYS = "meta/alto-redist/keys";

    /**
     * Whether {@code url} may be listed as a proxy: an absolute {@code http} or {@code https} URL
     * with a host, as every client requires of {@code meta.alto-redist.proxies}.
     */
    public static boolean isProxyUrl(String url) {
        if (url == null) {
            return false;
        }
        try {
            URI u = new URI(url);
            String scheme = u.getScheme();
            return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public Directory {
        requireNonNull(costTypes, "costTypes");
        requireNonNull(resources, "resources");
        costTypes = Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(costTypes)));
        resources = Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(resources)));
        keys = keys == null ? List.of() : List.copyOf(keys);
        checkDistinctKids(keys);
        proxies = proxies == null ? List.of() : List.copyOf(proxies);
        if (defaultNetworkMap != null && !resources.containsKey(defaultNetworkMap)) {
            throw new AltoException(AltoError.invalidValue("meta/default-alto-network-map", defaultNetworkMap,
                    "not a resource of this directory"));
        }
        Map<String, CostType> types = costTypes;
        resources.forEach((id, r) -> {
            if (!id.equals(r.id())) {
                throw new IllegalArgumentException("resources: key " + id + " names entry " + r.id());
            }
            r.costTypeNames().forEach(n -> {
                if (!types.containsKey(n)) {
                    throw new AltoException(AltoError.invalidValue("resources/" + id + "/capabilities/cost-type-names",
                            n, "cost type " + n + " is not defined in meta.cost-types"));
                }
            });
        });
    }

    /**
     * Refuses a key set that names one {@code kid} twice (RFC 7517 §4.5 asks for distinct ones):
     * whoever reads it would take whichever key came first under that id, so the order, not the
     * origin, would decide which key a client pins or a node trusts. A directory like this is a
     * rotation done wrong or a hostile one, refused alike by every node and client that reads it.
     */
    private static void checkDistinctKids(List<Jwk> keys) {
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String kid = keys.get(i).kid();
            Integer before = first.putIfAbsent(kid, i);
            if (before != null) {
                throw new AltoException(AltoError.invalidValue(KEYS + "[" + i + "]/kid", kid,
                        "key id " + kid + " listed twice (also at " + KEYS + "[" + before + "]): a key set names each key once"));
            }
        }
    }

    /** A directory that names no overlay. */
    public Directory(Map<String, CostType> costTypes, String defaultNetworkMap,
                     Map<String, InformationResource> resources, List<Jwk> keys, List<String> proxies) {
        this(costTypes, defaultNetworkMap, resources, keys, proxies, null);
    }
}
