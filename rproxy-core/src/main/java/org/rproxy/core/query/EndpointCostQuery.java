package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.json.JsonFields;
import org.rproxy.core.codec.json.RequestJson;
import org.rproxy.core.codec.json.RequestMember;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.IpAddress;

/**
 * An endpoint cost request (RFC 7285 §11.5.1.3, {@code application/alto-endpointcostparams+json}):
 * {@code {"cost-type":{..},"constraints":[..],"endpoints":{"srcs":[..],"dsts":[..]}}}.
 *
 * <p>§11.5.1.3 reads an empty or absent {@code srcs} or {@code dsts} as the address the request
 * came from. That substitution happens here, while parsing, so that a query record (and its
 * canonical form, which keys caches) never depends on who asked once it exists.
 *
 * @param costType    the cost type asked for
 * @param constraints joined by AND, sorted, no repeats; empty means none
 * @param srcs        source endpoints, sorted, no repeats, not empty
 * @param dsts        destination endpoints, sorted, no repeats, not empty
 */
public record EndpointCostQuery(CostType costType, List<Constraint> constraints,
                                List<IpAddress> srcs, List<IpAddress> dsts) {
    /** The members a request is read for. */
    private static final RequestJson.Shape MEMBERS = RequestJson.shape("cost-type", "cost-type/cost-mode", "cost-type/cost-metric",
            "cost-type/description", "constraints", "endpoints", "endpoints/srcs", "endpoints/dsts");

    public EndpointCostQuery {
        requireNonNull(costType, "costType");
        constraints = RequestLists.sortedSet(requireNonNull(constraints, "constraints"), "constraints");
        srcs = RequestLists.sortedSet(requireNonNull(srcs, "srcs"), "srcs");
        dsts = RequestLists.sortedSet(requireNonNull(dsts, "dsts"), "dsts");
        if (srcs.isEmpty() || dsts.isEmpty()) {
            throw new IllegalArgumentException("srcs and dsts must not be empty");
        }
    }

    /**
     * Reads a request body.
     *
     * @param client the address the request came from, standing in for an empty or absent list;
     *               null when unknown (every server passes null: see docs/protocol.md), in which case an
     *               absent list is an {@code E_MISSING_FIELD} and an empty one an
     *               {@code E_INVALID_FIELD_VALUE} whose value is the {@code []} the client sent
     */
    public static EndpointCostQuery fromJson(byte[] body, IpAddress client) {
        RequestMember o = RequestJson.read(body, MEMBERS).asObject("");
        CostType type = AltoJson.readCostType(o.object("", "cost-type"), "cost-type");
        List<Constraint> constraints = RequestLists.constraints(o.optionalArray("", "constraints"), "constraints");
        RequestMember endpoints = o.object("", "endpoints");
        List<IpAddress> srcs = list(endpoints, "srcs", client);
        List<IpAddress> dsts = list(endpoints, "dsts", client);
        return new EndpointCostQuery(type, constraints, srcs, dsts);
    }

    /**
     * Reads a request already parsed into a tree (a push proxy normalizing a stream's query
     * inputs; tests): its JSON text, as {@link #fromJson(byte[], IpAddress)} reads it.
     */
    public static EndpointCostQuery fromJson(JsonNode body, IpAddress client) {
        return fromJson(RequestJson.text(requireNonNull(body, "body")), client);
    }

    private static List<IpAddress> list(RequestMember endpoints, String name, IpAddress client) {
        RequestMember a = endpoints.optionalArray("endpoints", name);
        List<IpAddress> out = RequestLists.endpoints(a, "endpoints/" + name);
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

    /** The canonical request: cost type without description, sorted lists, canonical addresses. */
    public ObjectNode toCanonicalJson() {
        ObjectNode o = RequestLists.NODES.objectNode();
        o.set("constraints", RequestLists.constraintTexts(constraints));
        o.set("cost-type", AltoJson.writeCostType(new CostType(costType.metric(), costType.mode())));
        ObjectNode e = o.putObject("endpoints");
        e.set("dsts", RequestLists.typed(dsts));
        e.set("srcs", RequestLists.typed(srcs));
        return o;
    }
}
