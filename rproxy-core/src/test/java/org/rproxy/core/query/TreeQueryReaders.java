package org.rproxy.core.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.json.JsonFields;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.IpAddress;

/**
 * The query readers as they were before requests were read by streaming: the body parsed into a
 * Jackson tree ({@link AltoJson#parse}), then read member by member ({@link JsonFields}). Kept,
 * as they stood, as the reference {@code RequestReadersDifferentialTest} holds the streaming
 * readers to.
 */
final class TreeQueryReaders {
    private static final int MAX_PROPERTY = 97;
    private static final Set<String> TYPES = Set.of("ipv4", "ipv6");

    private TreeQueryReaders() {
    }

    static CostMapFilter costMapFilter(byte[] bytes) {
        ObjectNode o = JsonFields.asObject(AltoJson.parse(bytes), "");
        CostType type = AltoJson.readCostType(JsonFields.object(o, "", "cost-type"), "cost-type");
        List<Constraint> constraints = constraints(JsonFields.optionalArray(o, "", "constraints"), "constraints");
        ObjectNode pids = JsonFields.optionalObject(o, "", "pids");
        if (pids == null) {
            return new CostMapFilter(type, List.of(), List.of(), constraints);
        }
        List<String> srcs = pids(JsonFields.optionalArray(pids, "pids", "srcs"), "pids/srcs");
        List<String> dsts = pids(JsonFields.optionalArray(pids, "pids", "dsts"), "pids/dsts");
        return new CostMapFilter(type, srcs, dsts, constraints);
    }

    static EndpointCostQuery endpointCostQuery(byte[] bytes, IpAddress client) {
        ObjectNode o = JsonFields.asObject(AltoJson.parse(bytes), "");
        CostType type = AltoJson.readCostType(JsonFields.object(o, "", "cost-type"), "cost-type");
        List<Constraint> constraints = constraints(JsonFields.optionalArray(o, "", "constraints"), "constraints");
        ObjectNode endpoints = JsonFields.object(o, "", "endpoints");
        List<IpAddress> srcs = endpointList(endpoints, "srcs", client);
        List<IpAddress> dsts = endpointList(endpoints, "dsts", client);
        return new EndpointCostQuery(type, constraints, srcs, dsts);
    }

    private static List<IpAddress> endpointList(ObjectNode endpoints, String name, IpAddress client) {
        ArrayNode a = JsonFields.optionalArray(endpoints, "endpoints", name);
        List<IpAddress> out = endpoints(a, "endpoints/" + name);
        if (!out.isEmpty()) {
            return out;
        }
        if (client == null) {
            String field = "endpoints/" + name;
            String why = "this server does not stand the client's own address in for it (RFC 7285 §11.5.1.3 lets"
                    + " it; an answer that depends on who asks could not be shared by proxies): list the endpoints";
            if (a == null) {
                throw new AltoException(AltoError.of(AltoErrorCode.E_MISSING_FIELD, field, null,
                        "missing field: " + field + "; " + why));
            }
            throw JsonFields.invalid(field, "[]", "empty list; " + why);
        }
        return List.of(client);
    }

    static EndpointPropertyQuery endpointPropertyQuery(byte[] bytes) {
        ObjectNode o = JsonFields.asObject(AltoJson.parse(bytes), "");
        ArrayNode props = JsonFields.array(o, "", "properties");
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0; i < props.size(); i++) {
            String name = JsonFields.requestElement(props, i, "properties");
            if (name.isEmpty() || name.length() > MAX_PROPERTY) {
                throw JsonFields.invalid("properties", name, "not a property name");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw JsonFields.invalid("properties", "[]", "at least one property is required");
        }
        List<IpAddress> endpoints = endpoints(JsonFields.array(o, "", "endpoints"), "endpoints");
        if (endpoints.isEmpty()) {
            throw JsonFields.invalid("endpoints", "[]", "at least one endpoint is required");
        }
        return new EndpointPropertyQuery(List.copyOf(names), endpoints);
    }

    static NetworkMapFilter networkMapFilter(byte[] bytes) {
        ObjectNode o = JsonFields.asObject(AltoJson.parse(bytes), "");
        List<String> pids = pids(JsonFields.array(o, "", "pids"), "pids");
        ArrayNode types = JsonFields.optionalArray(o, "", "address-types");
        List<String> typeList = new ArrayList<>();
        for (int i = 0; types != null && i < types.size(); i++) {
            String t = JsonFields.requestElement(types, i, "address-types");
            if (TYPES.contains(t)) {
                typeList.add(t);
            }
        }
        return new NetworkMapFilter(pids, typeList);
    }

    private static List<String> pids(ArrayNode list, String path) {
        if (list == null) {
            return List.of();
        }
        TreeSet<String> out = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(Identifiers.pid(JsonFields.requestElement(list, i, path), path));
        }
        return List.copyOf(out);
    }

    private static List<IpAddress> endpoints(ArrayNode list, String path) {
        if (list == null) {
            return List.of();
        }
        TreeSet<IpAddress> out = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(IpAddress.parseTyped(JsonFields.requestElement(list, i, path), path));
        }
        return List.copyOf(out);
    }

    private static List<Constraint> constraints(ArrayNode list, String path) {
        if (list == null) {
            return List.of();
        }
        QueryLimits.checkConstraints(list.size(), path);
        TreeSet<Constraint> out = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(Constraint.parse(JsonFields.requestElement(list, i, path), path));
        }
        return List.copyOf(out);
    }
}
