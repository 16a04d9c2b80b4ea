package org.rproxy.core.answer;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.MediaTypes;

/**
 * The request targets of the full maps a directory lists (network and cost maps under this
 * node's own paths), and of their seed dialect renderings: {@code /prop/pid} for the default
 * network map, {@code /cost/map?type=METRIC} for each cost map on it with one cost type.
 */
public final class ListedMaps {
    private ListedMaps() {
    }

    /** The targets of the maps {@code directory} lists, sorted. */
    public static Set<String> of(Directory directory) {
        Set<String> out = new TreeSet<>();
        String def = directory.defaultNetworkMap();
        directory.resources().values().forEach(r -> {
            if (r.accepts() != null || !r.uri().startsWith("/")) {
                return;
            }
            if (MediaTypes.NETWORK_MAP.equals(r.mediaType())) {
                out.add(r.uri());
                if (r.id().equals(def)) {
                    out.add(ResourcePaths.XML_NETWORK_MAP_PATH);
                }
            } else if (MediaTypes.COST_MAP.equals(r.mediaType())) {
                out.add(r.uri());
                if (r.uses().equals(List.of(def)) && r.costTypeNames().size() == 1) {
                    CostType t = directory.costTypes().get(r.costTypeNames().get(0));
                    if (t != null) {
                        out.add(ResourcePaths.XML_COST_MAP_PATH + "?type=" + t.metric());
                    }
                }
            }
        });
        return out;
    }
}
