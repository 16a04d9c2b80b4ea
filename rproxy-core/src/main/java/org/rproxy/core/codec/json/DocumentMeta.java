package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.index;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.VersionTag;

/**
 * The {@code meta} member of RFC 7285 responses (§8.3.3): the document's own {@code vtag}
 * (§10.3) and the {@code dependent-vtags} of the maps it was computed from. Stateless; any thread.
 */
final class DocumentMeta {

    private DocumentMeta() {
    }

    /**
     * {@code meta.vtag}, or {@code fallback} when the document carries none (files on disk need
     * not: the origin names them from the file).
     *
     * @throws AltoException {@code E_MISSING_FIELD} on {@code meta.vtag} when both are absent
     */
    static VersionTag vtag(ObjectNode root, VersionTag fallback) {
        return vtagOf(JsonFields.optionalObject(root, "", "meta"), fallback);
    }

    /** As {@link #vtag(ObjectNode, VersionTag)}, given the {@code meta} object itself (or null). */
    static VersionTag vtagOf(ObjectNode meta, VersionTag fallback) {
        ObjectNode vtag = meta == null ? null : JsonFields.optionalObject(meta, "meta", "vtag");
        if (vtag != null) {
            return JsonValues.readVtag(vtag, "meta/vtag");
        }
        if (fallback == null) {
            throw new AltoException(AltoError.missingField("meta/vtag"));
        }
        return fallback;
    }

    /** {@code meta.dependent-vtags}, which must be present; may be empty. */
    static List<VersionTag> dependentVtags(ObjectNode meta) {
        ArrayNode list = JsonFields.array(meta, "meta", "dependent-vtags");
        List<VersionTag> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode v = list.get(i);
            out.add(JsonValues.readVtag(v, index("meta/dependent-vtags", i)));
        }
        return out;
    }

    static ObjectNode withDependentVtags(ObjectNode meta, List<VersionTag> vtags) {
        meta.set("dependent-vtags", JsonValues.writeVtags(vtags));
        return meta;
    }
}
