package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.index;
import static org.rproxy.core.codec.json.JsonFields.path;
import static org.rproxy.core.codec.json.JsonValues.NODES;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.CanonicalJsonWriter;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/**
 * Reads and writes the network map of RFC 7285 §11.2.1.6:
 * {@code {"meta":{"vtag":{..}},"network-map":{"PID1":{"ipv4":[..],"ipv6":[..]}}}}.
 * The same writer serves the filtered network map (§11.3.1.6), which carries the vtag of the
 * full map it was cut from. Stateless; any thread.
 */
final class NetworkMapJson {
    static final String IPV4 = "ipv4";
    static final String IPV6 = "ipv6";

    private NetworkMapJson() {
    }

    static NetworkMap read(JsonNode doc, VersionTag fallback) {
        ObjectNode root = JsonFields.asObject(doc, "");
        VersionTag vtag = DocumentMeta.vtag(root, fallback);
        ObjectNode map = JsonFields.object(root, "", "network-map");
        Map<String, List<Cidr>> pids = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String pid = e.getKey();
            String pidPath = path("network-map", pid);
            Identifiers.pid(pid, pidPath);
            pids.put(pid, readGroup(JsonFields.asObject(e.getValue(), pidPath), pidPath));
        }
        return new NetworkMap(vtag, pids);
    }

    /** An endpoint address group (§11.2.1.6): address type to prefixes. */
    private static List<Cidr> readGroup(ObjectNode group, String pidPath) {
        List<Cidr> prefixes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : group.properties()) {
            String type = e.getKey();
            String typePath = path(pidPath, type);
            boolean v6 = IPV6.equals(type);
            if (!v6 && !IPV4.equals(type)) {
                throw JsonFields.invalid(typePath, type, "address type must be ipv4 or ipv6");
            }
            if (!(e.getValue() instanceof ArrayNode list)) {
                throw JsonFields.wrongType(typePath, "an array");
            }
            for (int i = 0; i < list.size(); i++) {
                String text = JsonFields.element(list, i, typePath);
                prefixes.add(Cidr.parse(text, v6, index(typePath, i)));
            }
        }
        return prefixes;
    }

    static ObjectNode write(NetworkMap map) {
        return write(map.vtag(), map.pids());
    }

    static ObjectNode write(VersionTag vtag, Map<String, List<Cidr>> pids) {
        ObjectNode root = NODES.objectNode();
        root.putObject("meta").set("vtag", JsonValues.writeVtag(vtag));
        ObjectNode map = root.putObject("network-map");
        pids.forEach((pid, prefixes) -> map.set(pid, writeGroup(prefixes)));
        return root;
    }

    /**
     * {@link #write(VersionTag, Map)} as RFC 8785 bytes, written without the tree: what {@code
     * Jcs.canonicalize} of it gives (PIDs sorted here; each family's prefixes in the order given).
     */
    static byte[] canonical(VersionTag vtag, Map<String, List<Cidr>> pids) {
        String[] names = pids.keySet().toArray(new String[0]);
        Arrays.sort(names);
        int prefixes = 0;
        for (List<Cidr> p : pids.values()) {
            prefixes += p.size();
        }
        // some 24 characters per prefix ("198.51.100.128/25",) and per PID: sized by what is written
        CanonicalJsonWriter w = new CanonicalJsonWriter(128 + 24 * (names.length + prefixes));
        w.beginObject().name("meta").beginObject().name("vtag").beginObject()
                .name("resource-id").value(vtag.resourceId()).name("tag").value(vtag.tag())
                .endObject().endObject().name("network-map").beginObject();
        for (String pid : names) {
            List<Cidr> group = pids.get(pid);
            w.name(pid).beginObject();
            writeFamily(w, group, true);
            writeFamily(w, group, false);
            w.endObject();
        }
        return w.endObject().endObject().toUtf8();
    }

    /** The member {@code ipv4} (or {@code ipv6}) of a group when it has prefixes of that family. */
    private static void writeFamily(CanonicalJsonWriter w, List<Cidr> group, boolean v4) {
        boolean any = false;
        for (Cidr c : group) {
            if (c.isV4() == v4) {
                if (!any) {
                    w.name(v4 ? IPV4 : IPV6).beginArray();
                    any = true;
                }
                w.value(c.toString());
            }
        }
        if (any) {
            w.endArray();
        }
    }

    private static ObjectNode writeGroup(List<Cidr> prefixes) {
        ObjectNode group = NODES.objectNode();
        for (Cidr c : prefixes) {
            String type = c.isV4() ? IPV4 : IPV6;
            JsonNode list = group.get(type);
            (list == null ? group.putArray(type) : (ArrayNode) list).add(c.toString());
        }
        return group;
    }
}
