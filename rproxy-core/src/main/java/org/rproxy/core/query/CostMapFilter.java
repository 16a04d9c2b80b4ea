package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.json.RequestJson;
import org.rproxy.core.codec.json.RequestMember;
import org.rproxy.core.model.CostType;

/**
 * A filtered cost map request (RFC 7285 §11.3.2.3, {@code application/alto-costmapfilter+json}):
 * {@code {"cost-type":{..},"constraints":["le 10"],"pids":{"srcs":[..],"dsts":[..]}}}.
 *
 * <p>{@code pids} is optional (absent: all sources and all destinations). Inside it RFC 7285
 * makes {@code srcs} and {@code dsts} required; this reader treats a missing list like an empty
 * one (all PIDs), which answers the evident intent instead of failing a client over it.
 *
 * @param costType    the cost type asked for
 * @param srcs        source PIDs, sorted, no repeats; empty means all
 * @param dsts        destination PIDs, sorted, no repeats; empty means all
 * @param constraints joined by AND, sorted, no repeats; empty means none
 */
public record CostMapFilter(CostType costType, List<String> srcs, List<String> dsts, List<Constraint> constraints) {
    /** The members a request is read for. */
    private static final RequestJson.Shape MEMBERS = RequestJson.shape("cost-type", "cost-type/cost-mode", "cost-type/cost-metric",
            "cost-type/description", "constraints", "pids", "pids/srcs", "pids/dsts");

    public CostMapFilter {
        requireNonNull(costType, "costType");
        srcs = RequestLists.sortedSet(requireNonNull(srcs, "srcs"), "srcs");
        dsts = RequestLists.sortedSet(requireNonNull(dsts, "dsts"), "dsts");
        constraints = RequestLists.sortedSet(requireNonNull(constraints, "constraints"), "constraints");
    }

    /**
     * Reads a request body with a streaming parser ({@link RequestJson}).
     *
     * @throws org.rproxy.core.model.AltoException the RFC 7285 error naming the field at fault
     */
    public static CostMapFilter fromJson(byte[] body) {
        RequestMember o = RequestJson.read(body, MEMBERS).asObject("");
        CostType type = AltoJson.readCostType(o.object("", "cost-type"), "cost-type");
        List<Constraint> constraints = RequestLists.constraints(o.optionalArray("", "constraints"), "constraints");
        RequestMember pids = o.optionalObject("", "pids");
        if (pids == null) {
            return new CostMapFilter(type, List.of(), List.of(), constraints);
        }
        List<String> srcs = RequestLists.pids(pids.optionalArray("pids", "srcs"), "pids/srcs");
        List<String> dsts = RequestLists.pids(pids.optionalArray("pids", "dsts"), "pids/dsts");
        return new CostMapFilter(type, srcs, dsts, constraints);
    }

    /**
     * Reads a request already parsed into a tree (a push proxy normalizing a stream's query
     * inputs; tests): its JSON text, as {@link #fromJson(byte[])} reads it.
     */
    public static CostMapFilter fromJson(JsonNode body) {
        return fromJson(RequestJson.text(requireNonNull(body, "body")));
    }

    /**
     * The canonical request: cost type without its description (which does not change the
     * answer), both PID lists and the constraints in canonical text, all sorted.
     */
    public ObjectNode toCanonicalJson() {
        ObjectNode o = RequestLists.NODES.objectNode();
        o.set("constraints", RequestLists.constraintTexts(constraints));
        o.set("cost-type", AltoJson.writeCostType(new CostType(costType.metric(), costType.mode())));
        ObjectNode pids = o.putObject("pids");
        pids.set("dsts", RequestLists.strings(dsts));
        pids.set("srcs", RequestLists.strings(srcs));
        return o;
    }
}
