package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Identifiers;

/**
 * An {@code application/alto-updatestreamparams+json} body (RFC 8895 §6.5), as sent to open an
 * update stream and to its stream control URI (§7.3): substreams to {@code add}, keyed by the
 * client's substream id, and substream ids to {@code remove}.
 *
 * <p>Extension: an {@code add} entry may carry {@code path}, the request target of the document
 * to follow, for documents that have no directory entry of their own: the directory itself
 * ({@code /directory}), and the seed's XML documents ({@code /capability}, {@code /prop/pid},
 * {@code /cost/map?type=hopcount}); {@code resource-id} then names the resource those bytes
 * answer (their {@code alto-resource} id). An entry with {@code input} (RFC 8895 §6.5, a POST-mode
 * substream) follows the answer of a query resource to that input; it is kept in RFC 8785 form,
 * so that equal inputs are one query. Extension: a top-level {@value #SIGNATURES_MEMBER} boolean
 * asks for this project's signature events on the stream, or for none.
 *
 * <p>An optional member whose value is JSON {@code null} counts as absent, as everywhere else
 * requests are read ({@link org.rproxy.core.codec.json.JsonFields}).
 *
 * @param add        substream id to what it follows, in request order
 * @param addGiven   whether the request has an {@code add} member at all (it may be empty)
 * @param remove     substream ids to stop
 * @param signatures {@value #SIGNATURES_MEMBER}, or null when the request does not say
 */
record StreamRequest(Map<String, Add> add, boolean addGiven, List<String> remove, Boolean signatures) {

    /** This extension's member: whether the stream carries signature events. */
    static final String SIGNATURES_MEMBER = "alto-redist-signatures";

    /**
     * One substream asked for.
     *
     * @param resourceId  the resource's id
     * @param tag         the entity tag of the version the client holds (without quotes), or null
     * @param incremental whether merge patches may be sent (default true)
     * @param path        the document's request target, or null for the resource's directory URI
     * @param input       the query input in RFC 8785 form (a POST-mode substream), or null
     */
    record Add(String resourceId, String tag, boolean incremental, String path, Bytes input) {
        Add {
            requireNonNull(resourceId, "resourceId");
            if (path != null && input != null) {
                throw new IllegalArgumentException("path and input: a substream follows a document or a query, not both");
            }
        }
    }

    StreamRequest {
        add = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(add));
        remove = List.copyOf(remove);
    }

    /**
     * @throws AltoException E_SYNTAX for a body that is not JSON, and E_MISSING_FIELD,
     *                       E_INVALID_FIELD_TYPE or E_INVALID_FIELD_VALUE naming the field at fault
     */
    static StreamRequest parse(Bytes body) {
        // AltoJson: as strict as Jcs (no repeated names, nothing after the value), and its syntax
        // errors give line and column, as a query's do, not Jackson's "[Source: ...]"
        JsonNode root = AltoJson.parse(body.unsafeArray());
        if (!root.isObject()) {
            throw new AltoException(AltoError.invalidType("", "an object"));
        }
        Map<String, Add> add = new LinkedHashMap<>();
        JsonNode a = present(root, "add");
        if (a != null) {
            if (!a.isObject()) {
                throw new AltoException(AltoError.invalidType("add", "an object"));
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                String p = "add/" + e.getKey();
                if (!Identifiers.isId(e.getKey())) {
                    throw new AltoException(AltoError.invalidValue(p, e.getKey(),
                            "a substream id is 1-64 characters of [A-Za-z0-9-:@_.]"));
                }
                add.put(e.getKey(), readAdd(e.getValue(), p));
            }
        }
        List<String> remove = new ArrayList<>();
        JsonNode r = present(root, "remove");
        if (r != null) {
            if (!r.isArray()) {
                throw new AltoException(AltoError.invalidType("remove", "an array of substream ids"));
            }
            for (int i = 0; i < r.size(); i++) {
                if (!r.get(i).isTextual()) {
                    // RFC 7285 §8.5.2: an element of the wrong type is an invalid value of the array
                    throw new AltoException(AltoError.invalidValue("remove", r.get(i).toString(),
                            "expected an array of substream ids"));
                }
                remove.add(r.get(i).textValue());
            }
        }
        JsonNode sig = present(root, SIGNATURES_MEMBER);
        if (sig != null && !sig.isBoolean()) {
            throw new AltoException(AltoError.invalidType(SIGNATURES_MEMBER, "a boolean"));
        }
        return new StreamRequest(add, a != null, remove, sig == null ? null : sig.booleanValue());
    }

    private static Add readAdd(JsonNode o, String p) {
        if (!o.isObject()) {
            throw new AltoException(AltoError.invalidType(p, "an object"));
        }
        String id = string(o, p, "resource-id");
        if (id == null) {
            throw new AltoException(AltoError.missingField(p + "/resource-id"));
        }
        String tag = string(o, p, "tag");
        JsonNode inc = present(o, "incremental-changes");
        if (inc != null && !inc.isBoolean()) {
            throw new AltoException(AltoError.invalidType(p + "/incremental-changes", "a boolean"));
        }
        JsonNode input = present(o, "input");
        if (input != null && !input.isObject()) {
            throw new AltoException(AltoError.invalidType(p + "/input", "an object"));
        }
        String path = string(o, p, "path");
        if (path != null && !path.startsWith("/")) {
            throw new AltoException(AltoError.invalidValue(p + "/path", path, "expected an absolute path"));
        }
        if (path != null && input != null) {
            throw new AltoException(AltoError.invalidValue(p + "/path", path,
                    "a substream with input follows the resource's query answer; leave path out"));
        }
        return new Add(id, tag, inc == null || inc.booleanValue(), path,
                input == null ? null : Bytes.wrap(Jcs.canonicalize(input)));
    }

    /** The member {@code name} of {@code o}, or null when it is absent or JSON {@code null}. */
    private static JsonNode present(JsonNode o, String name) {
        JsonNode v = o.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static String string(JsonNode o, String p, String name) {
        JsonNode v = present(o, name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new AltoException(AltoError.invalidType(p + "/" + name, "a string"));
        }
        return v.textValue();
    }
}
