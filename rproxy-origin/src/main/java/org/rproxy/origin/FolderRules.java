package org.rproxy.origin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.rproxy.core.model.CostMap;
import org.rproxy.origin.MapsFolder.MapsFolderException;

/**
 * The rules a maps folder must keep as a whole, beyond each file being a valid document: what
 * the origin's query code and directory would otherwise refuse, or hide, once the folder is
 * served. Each problem names the file at fault. Stateless; called by {@link MapsFolder#load}.
 */
final class FolderRules {
    private FolderRules() {
    }

    /**
     * Adds to {@code problems} what breaks a rule.
     *
     * @param origins the file each resource id came from
     */
    static void check(Path dir, Set<String> networkMaps, Map<String, CostMap> costMaps, Set<String> properties,
                      Map<String, Path> origins, List<MapsFolderException> problems) {
        oneCostMapPerCostType(costMaps, origins, problems);
        noDirectoryNames(networkMaps, origins, problems);
        if (properties.size() > 1) {
            List<String> files = properties.stream().map(id -> origins.get(id).getFileName().toString()).toList();
            problems.add(new MapsFolderException(dir + ": several endpoint-properties files " + files
                    + " (expected: at most one; put the properties of every endpoint in one file)"));
        }
    }

    /** The default network map of a folder holding {@code networkMaps} (at least one). */
    static String chooseDefault(Path dir, Set<String> networkMaps) {
        if (networkMaps.size() == 1) {
            return networkMaps.iterator().next();
        }
        if (networkMaps.contains("default-network-map")) {
            return "default-network-map";
        }
        throw new MapsFolderException(dir + ": several network maps " + networkMaps
                + " and none is named default-network-map; name the default one so");
    }

    /**
     * Refuses a second cost map of one cost type (metric and mode) on one network map: a query
     * for that cost type could be answered from either (and the origin's query code refuses the
     * set), so the file that comes second by name is named.
     */
    private static void oneCostMapPerCostType(Map<String, CostMap> costMaps, Map<String, Path> origins,
                                              List<MapsFolderException> problems) {
        Map<String, Path> byType = new TreeMap<>();
        Map<Path, CostMap> byFile = new TreeMap<>();
        costMaps.forEach((id, m) -> byFile.put(origins.get(id), m));
        byFile.forEach((file, m) -> {
            String type = m.costType().metric() + "/" + m.costType().mode().wireName();
            Path first = byType.putIfAbsent(m.dependentVtag().resourceId() + " " + type, file);
            if (first != null) {
                problems.add(new MapsFolderException(file + ": a second cost map of cost type " + type + " on network map "
                        + m.dependentVtag().resourceId() + " (" + first.getFileName() + " is one; expected: one cost map"
                        + " per cost type and network map)"));
            }
        });
    }

    /**
     * Refuses a document whose resource id the directory gives one of its own entries
     * ({@link Catalog#ownEntries}): the entry would replace the document's in the directory, and
     * clients discovering through it would never find the document.
     */
    private static void noDirectoryNames(Set<String> networkMaps, Map<String, Path> origins,
                                         List<MapsFolderException> problems) {
        Map<String, String> own = Catalog.ownEntries(networkMaps);
        new TreeMap<>(origins).forEach((id, file) -> {
            String entry = own.get(id);
            if (entry != null) {
                problems.add(new MapsFolderException(file + ": resource id '" + id + "' is the directory's name for "
                        + entry + " (expected: another file name, or another meta/vtag/resource-id)"));
            }
        });
    }
}
