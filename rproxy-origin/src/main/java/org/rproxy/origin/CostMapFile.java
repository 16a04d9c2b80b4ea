package org.rproxy.origin;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.origin.MapsFolder.MapsFolderException;

/**
 * The cost map of a maps file ({@link MapsFolder}), read as a stream ({@link MapsFile}), with its
 * tags settled against the network map it names: the dependent tag checked, or filled in when the
 * file leaves it out, and the cost map's own tag then derived from both.
 */
final class CostMapFile {

    private CostMapFile() {
    }

    /**
     * The cost map of {@code file}, read into {@code r}, checked against its network map among
     * {@code networkMaps}. Its costs were never a tree, so a tag it does not give is a hash of the
     * file's bytes (not of the canonical form, as for the small documents): a change that only
     * reformats the file also makes a new version, which costs one re-signing. When the origin
     * fills in the dependent tag, that tag is hashed in too ({@link VtagFill#filledTag}): an edit of
     * the network map alone changes the cost map served, so it must change its tag. A file that
     * gives its own tag and leaves the dependent one to the origin is refused, since that tag would
     * then name every version the network map makes.
     *
     * @throws MapsFolderException naming the file, the field and the reason
     */
    static CostMap read(Path file, MapsFile.Read r, Map<String, NetworkMap> networkMaps) {
        ObjectNode copy = VtagFill.withVtag(r.doc().members(), file, r.bytesTag());
        boolean ownTag = r.doc().members().path("meta").path("vtag").has("tag");
        JsonNode deps = copy.path("meta").path("dependent-vtags");
        if (deps instanceof ArrayNode arr && arr.size() == 1 && arr.get(0) instanceof ObjectNode dep) {
            settleDependentTag(file, copy, arr, dep, ownTag, r.bytesTag(), networkMaps);
        }
        CostMap map = MapsFolder.read(file,
                () -> AltoJson.buildCostMap((ObjectNode) copy.get("meta"), r.doc().costs(), null));
        MapsFolder.read(file, () -> {
            map.checkAgainst(networkMaps.get(map.dependentVtag().resourceId()));
            return map;
        });
        return map;
    }

    /**
     * Checks the dependent tag {@code dep} (of {@code deps}, in {@code copy}) against the network map
     * it names, or fills it in, with the cost map's own tag hashed from {@code bytesTag} and it.
     */
    private static void settleDependentTag(Path file, ObjectNode copy, ArrayNode deps, ObjectNode dep, boolean ownTag,
                                           String bytesTag, Map<String, NetworkMap> networkMaps) {
        NetworkMap target = networkMaps.get(dep.path("resource-id").asText(""));
        if (target == null) {
            throw new MapsFolderException(file + ": meta/dependent-vtags[0]/resource-id: no network map named '"
                    + dep.path("resource-id").asText("") + "' in the folder (have: " + networkMaps.keySet() + ")");
        }
        if (!dep.has("tag") && ownTag) {
            throw new MapsFolderException(file + ": meta/vtag/tag: given, but meta/dependent-vtags[0]/tag is left"
                    + " for the origin to fill in from " + target.vtag().resourceId() + ", so an edit of that network"
                    + " map alone would change this cost map under the same tag; leave out meta/vtag/tag, or give"
                    + " meta/dependent-vtags[0]/tag too and change both together");
        } else if (!dep.has("tag")) {
            dep.put("tag", target.vtag().tag());
            ((ObjectNode) copy.get("meta").get("vtag")).put("tag", VtagFill.filledTag(bytesTag, deps));
        } else if (!dep.path("tag").asText("").equals(target.vtag().tag())) {
            throw new MapsFolderException(file + ": meta/dependent-vtags[0]/tag: '" + dep.path("tag").asText("")
                    + "' is not the current tag of " + target.vtag().resourceId() + " ('" + target.vtag().tag()
                    + "'); omit the tag to follow the network map");
        }
    }
}
