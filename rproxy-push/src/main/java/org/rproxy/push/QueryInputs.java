package org.rproxy.push;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.query.CostMapFilter;
import org.rproxy.core.query.EndpointCostQuery;
import org.rproxy.core.query.EndpointPropertyQuery;
import org.rproxy.core.query.NetworkMapFilter;

/**
 * The form a POST-mode substream's input is keyed by and asked in: RFC 8785 form with the lists
 * RFC 7285 defines as sets (PIDs, endpoints, properties, address types) sorted and without
 * repeats, so that inputs asking the same question in another order, or with an entry twice, are
 * one query answer ({@link QueryKey}) instead of one each. RFC 7285 gives those lists no order and
 * tells the server to read a repeated entry once (§11.3.1.3, §11.3.2.3, §11.4.1.3, §11.5.1.3),
 * and this node's query code reads them sorted and without repeats, so the answer is the same.
 * Nothing else changes: constraints (counted, repeats included, against their limit), cost types
 * and members this node does not know (an upstream answering forwarded queries may) are kept.
 * An input the query code refuses is kept as it came, so its error names the element the client
 * sent where it sent it. Stateless.
 */
final class QueryInputs {

    /** Query input media type to the set-like lists in it. */
    private static final Map<String, List<String>> SETS = Map.of(
            MediaTypes.COST_MAP_FILTER, List.of("/pids/srcs", "/pids/dsts"),
            MediaTypes.ENDPOINT_COST_PARAMS, List.of("/endpoints/srcs", "/endpoints/dsts"),
            MediaTypes.ENDPOINT_PROP_PARAMS, List.of("/properties", "/endpoints"),
            MediaTypes.NETWORK_MAP_FILTER, List.of("/pids", "/address-types"));

    /** Query input media type to this node's reading of it (throws when it refuses the input). */
    private static final Map<String, Consumer<JsonNode>> READERS = Map.of(
            MediaTypes.COST_MAP_FILTER, CostMapFilter::fromJson,
            MediaTypes.ENDPOINT_COST_PARAMS, in -> EndpointCostQuery.fromJson(in, null),
            MediaTypes.ENDPOINT_PROP_PARAMS, EndpointPropertyQuery::fromJson,
            MediaTypes.NETWORK_MAP_FILTER, NetworkMapFilter::fromJson);

    private QueryInputs() {
    }

    /** {@code input} (RFC 8785 form) for a query resource accepting {@code accepts}, its sets sorted without repeats. */
    static Bytes normal(String accepts, Bytes input) {
        List<String> sets = SETS.get(accepts);
        if (sets == null) {
            return input;
        }
        JsonNode tree = Jcs.parse(input.unsafeArray());
        try {
            READERS.get(accepts).accept(tree);
        } catch (RuntimeException refused) {
            return input;
        }
        boolean changed = false;
        for (String at : sets) {
            changed |= sortSet(tree, at);
        }
        return changed ? Bytes.wrap(Jcs.canonicalize(tree)) : input;
    }

    /** Sorts the list of strings at {@code pointer} and drops its repeats; true when it changed. */
    private static boolean sortSet(JsonNode tree, String pointer) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = slash == 0 ? tree : tree.at(pointer.substring(0, slash));
        JsonNode list = tree.at(pointer);
        if (!(parent instanceof ObjectNode o) || !(list instanceof ArrayNode a)) {
            return false;
        }
        TreeSet<String> set = new TreeSet<>();
        for (JsonNode e : a) {
            if (!e.isTextual()) {
                return false;
            }
            set.add(e.textValue());
        }
        ArrayNode sorted = o.arrayNode(set.size());
        set.forEach(sorted::add);
        if (sorted.equals(a)) {
            return false;
        }
        o.set(pointer.substring(slash + 1), sorted);
        return true;
    }
}
