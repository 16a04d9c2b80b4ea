package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import org.rproxy.core.codec.json.RequestMember;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.IpAddress;

/**
 * The lists inside query requests: PID names (RFC 7285 §10.1), typed endpoint addresses
 * (§10.4.3) and constraints (§11.3.2.3). Each comes back sorted and without repeats, because
 * RFC 7285 tells the server to treat a repeated entry as if it appeared once (§11.3.1.3,
 * §11.3.2.3, §11.5.1.3); sorted lists also make the canonical form of a request independent of
 * the order the client chose. At most {@link QueryLimits#MAX_CONSTRAINTS} constraints are read.
 * An element at fault is reported as RFC 7285 §8.5.2 says: the array as the field, the element
 * as the value ({@link RequestMember#requestElement}).
 * Stateless; any thread.
 */
final class RequestLists {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RequestLists() {
    }

    static List<String> pids(RequestMember list, String path) {
        if (list == null) {
            return List.of();
        }
        TreeSet<String> out = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(Identifiers.pid(list.requestElement(i, path), path));
        }
        return List.copyOf(out);
    }

    static List<IpAddress> endpoints(RequestMember list, String path) {
        if (list == null) {
            return List.of();
        }
        TreeSet<IpAddress> out = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(IpAddress.parseTyped(list.requestElement(i, path), path));
        }
        return List.copyOf(out);
    }

    static List<Constraint> constraints(RequestMember list, String path) {
        if (list == null) {
            return List.of();
        }
        QueryLimits.checkConstraints(list.size(), path);
        TreeSet<Constraint> out = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(Constraint.parse(list.requestElement(i, path), path));
        }
        return List.copyOf(out);
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode a = NODES.arrayNode(values.size());
        values.forEach(a::add);
        return a;
    }

    static ArrayNode typed(List<IpAddress> values) {
        ArrayNode a = NODES.arrayNode(values.size());
        values.forEach(v -> a.add(v.toTyped()));
        return a;
    }

    static ArrayNode constraintTexts(List<Constraint> values) {
        ArrayNode a = NODES.arrayNode(values.size());
        values.forEach(c -> a.add(c.toWire()));
        return a;
    }

    /** Sorted, without repeats, unmodifiable; for record constructors given lists by code. */
    static <T extends Comparable<? super T>> List<T> sortedSet(List<T> values, String name) {
        TreeSet<T> set = new TreeSet<>();
        for (T v : values) {
            set.add(requireNonNull(v, name));
        }
        return List.copyOf(set);
    }
}
