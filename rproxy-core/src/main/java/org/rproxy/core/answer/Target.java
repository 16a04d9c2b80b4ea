package org.rproxy.core.answer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MediaTypes;

/**
 * A locally answered route and the network map it works on (filtered routes), else null; and
 * which request paths of a held directory are such routes ({@link #routes}).
 */
record Target(Route route, String netmap) {

    /**
     * True when the endpoint cost service {@code r} is computed on the directory's default network
     * map {@code def}, as every rproxy origin's is: its entry names no {@code uses} (RFC 7285
     * §11.5.1.5: an ECS MUST NOT name a network or cost map there) and the directory has a default
     * network map; or, as origins before that wrote it, {@code uses} is exactly that map. Any other
     * {@code uses} is a service this node cannot compute, left to the upstream.
     */
    private static boolean onDefaultNetworkMap(InformationResource r, String def) {
        return def != null && (r.uses().isEmpty() || r.uses().equals(List.of(def)));
    }

    /** The query routes of the held directory, and the seed's while a seed document is held. */
    static Map<String, Target> routes(ReceivedDocuments docs) {
        Map<String, Target> out = new HashMap<>();
        String def = docs.directory.defaultNetworkMap();
        for (InformationResource r : docs.directory.resources().values()) {
            if (r.accepts() == null || !r.uri().startsWith("/") || r.uri().indexOf('?') >= 0) {
                continue;
            }
            String on = r.uses().size() == 1 ? r.uses().get(0) : null;
            boolean held = on != null && docs.networkMaps.containsKey(on);
            if (held && r.mediaType().equals(MediaTypes.NETWORK_MAP) && r.accepts().equals(MediaTypes.NETWORK_MAP_FILTER)) {
                out.put(r.uri(), new Target(Route.FILTERED_NETWORK_MAP, on));
            } else if (held && r.mediaType().equals(MediaTypes.COST_MAP) && r.accepts().equals(MediaTypes.COST_MAP_FILTER)) {
                out.put(r.uri(), new Target(Route.FILTERED_COST_MAP, on));
            } else if (r.mediaType().equals(MediaTypes.ENDPOINT_PROP) && r.accepts().equals(MediaTypes.ENDPOINT_PROP_PARAMS)) {
                out.put(r.uri(), new Target(Route.ENDPOINT_PROP, null));
            } else if (r.mediaType().equals(MediaTypes.ENDPOINT_COST) && r.accepts().equals(MediaTypes.ENDPOINT_COST_PARAMS)
                    && onDefaultNetworkMap(r, def)) {
                out.put(r.uri(), new Target(Route.ENDPOINT_COST, null));
            }
        }
        if (docs.seed) {
            out.put(ResourcePaths.XML_NETWORK_MAP_PATH, new Target(Route.XML_PIDS, null));
            out.put(ResourcePaths.XML_LOOKUP_PATH, new Target(Route.XML_LOOKUP, null));
            out.put(ResourcePaths.XML_COST_ROW_PATH, new Target(Route.XML_COST_ROW, null));
            out.put(ResourcePaths.XML_RANKING_PATH, new Target(Route.XML_RANKING, null));
        }
        return out;
    }
}
