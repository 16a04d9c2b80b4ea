package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.RequestJson;
import org.rproxy.core.codec.json.RequestMember;

/**
 * A filtered network map request (RFC 7285 §11.3.1.3,
 * {@code application/alto-networkmapfilter+json}): {@code {"pids":[..],"address-types":[..]}}.
 *
 * @param pids         the PIDs asked for, sorted, no repeats; empty means all PIDs
 * @param addressTypes {@code ipv4} and/or {@code ipv6}, sorted, no repeats; empty means all types
 */
public record NetworkMapFilter(List<String> pids, List<String> addressTypes) {
    private static final Set<String> TYPES = Set.of("ipv4", "ipv6");
    /** The members a request is read for. */
    private static final RequestJson.Shape MEMBERS = RequestJson.shape("pids", "address-types");

    public NetworkMapFilter {
        pids = RequestLists.sortedSet(requireNonNull(pids, "pids"), "pids");
        addressTypes = RequestLists.sortedSet(requireNonNull(addressTypes, "addressTypes"), "addressTypes");
        for (String t : addressTypes) {
            if (!TYPES.contains(t)) {
                throw new IllegalArgumentException("addressTypes: " + t + " (expected: ipv4, ipv6)");
            }
        }
    }

    /**
     * Reads a request body. {@code pids} is required (it may be empty). An address type other
     * than {@code ipv4} or {@code ipv6} is dropped, as RFC 7285 §11.3.1.6 requires ("as if it
     * did not appear"); an element that is not a string is still an error. A list left empty
     * that way means every type, as an empty or absent one does (§11.3.1.3, followed literally):
     * {@code ["ipx"]} gets the whole map, not an empty one.
     */
    public static NetworkMapFilter fromJson(byte[] body) {
        RequestMember o = RequestJson.read(body, MEMBERS).asObject("");
        List<String> pids = RequestLists.pids(o.array("", "pids"), "pids");
        RequestMember types = o.optionalArray("", "address-types");
        List<String> typeList = new ArrayList<>();
        for (int i = 0; types != null && i < types.size(); i++) {
            String t = types.requestElement(i, "address-types");
            if (TYPES.contains(t)) {
                typeList.add(t);
            }
        }
        return new NetworkMapFilter(pids, typeList);
    }

    /**
     * Reads a request already parsed into a tree (a push proxy normalizing a stream's query
     * inputs; tests): its JSON text, as {@link #fromJson(byte[])} reads it.
     */
    public static NetworkMapFilter fromJson(JsonNode body) {
        return fromJson(RequestJson.text(requireNonNull(body, "body")));
    }

    /** True when prefixes of this family are asked for. */
    public boolean includes(boolean v4) {
        return addressTypes.isEmpty() || addressTypes.contains(v4 ? "ipv4" : "ipv6");
    }

    /** The canonical request: both lists, sorted, no repeats; equal requests give equal trees. */
    public ObjectNode toCanonicalJson() {
        ObjectNode o = RequestLists.NODES.objectNode();
        o.set("address-types", RequestLists.strings(addressTypes));
        o.set("pids", RequestLists.strings(pids));
        return o;
    }
}
