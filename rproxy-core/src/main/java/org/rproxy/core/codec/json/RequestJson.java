package org.rproxy.core.codec.json;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.JsonSyntaxErrors;
import org.rproxy.core.model.AltoException;

/**
 * Reads a query request body (a filtered map, endpoint cost or endpoint property request) with
 * Jackson's streaming parser, keeping only the members the query reads: no tree of the whole
 * body is built. What it keeps is a {@link RequestMember} per member its {@link Shape} names
 * ({@code cost-type}, {@code cost-type/cost-mode}, {@code pids/srcs}): its JSON type, a string's
 * text, an array's string elements.
 *
 * <p>It refuses exactly what {@link AltoJson#parse} refuses, with the same error: bytes that are
 * not UTF-8 ({@code Utf8}, checked first), no value, malformed JSON, a repeated member name, a
 * number past the parser's limits, nesting past its depth, content after the value. The whole
 * body is read before the caller looks at a member, so a syntax error anywhere wins over a
 * mistake in a member, as it does when a tree is read first. Numbers and strings of members not
 * kept are still read as a tree reader reads them, so that their faults are found alike.
 * Stateless; any thread.
 */
public final class RequestJson {

    private RequestJson() {
    }

    /**
     * The members a reader keeps, from their {@code /}-joined paths from the root
     * ({@code cost-type}, {@code cost-type/cost-mode}); made once per kind of request.
     */
    public static Shape shape(String... paths) {
        return Shape.of(List.of(paths));
    }

    /**
     * Reads {@code body}.
     *
     * @param shape the members to keep ({@link #shape})
     * @return the root, whose type the caller checks ({@link RequestMember#asObject})
     * @throws AltoException {@code E_SYNTAX} as {@link AltoJson#parse} throws it
     */
    public static RequestMember read(byte[] body, Shape shape) {
        requireNonNull(shape, "shape");
        try (JsonParser p = JsonSyntax.parser(requireNonNull(body, "body"))) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw JsonSyntaxErrors.empty();
            }
            RequestMember root = value(p, t, shape);
            JsonSyntax.checkEnd(p);
            return root;
        } catch (IOException e) {
            throw JsonSyntax.syntaxError(e);
        }
    }

    /** The JSON text of a request already parsed, for the readers of bodies (a convenience for tests and tools). */
    public static byte[] text(JsonNode tree) {
        return requireNonNull(tree, "tree").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The value at token {@code t}, an object's members kept as {@code shape} says. */
    private static RequestMember value(JsonParser p, JsonToken t, Shape shape) throws IOException {
        switch (t) {
            case START_OBJECT:
                return object(p, shape);
            case START_ARRAY:
                return array(p);
            case VALUE_STRING:
                return RequestMember.string(p.getText());
            case VALUE_NULL:
                return RequestMember.NULL;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                p.getNumberValue();
                return RequestMember.OTHER;
            default:
                return RequestMember.OTHER;
        }
    }

    private static RequestMember object(JsonParser p, Shape shape) throws IOException {
        RequestMember[] kept = new RequestMember[shape.names.length];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            int i = shape.indexOf(p.currentName());
            JsonToken t = p.nextToken();
            if (i >= 0) {
                kept[i] = value(p, t, shape.members[i]);
            } else {
                JsonSyntax.skip(p, t);
            }
        }
        return RequestMember.object(shape, kept);
    }

    /**
     * The string elements up to the first that is not a string, which is kept as JSON text, as
     * a tree prints it (the value of the error that names it); the elements after it are read
     * and counted only.
     */
    private static RequestMember array(JsonParser p) throws IOException {
        List<String> strings = new ArrayList<>();
        String other = null;
        int size = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            size++;
            if (other != null) {
                JsonSyntax.skip(p, t);
            } else if (t == JsonToken.VALUE_STRING) {
                strings.add(p.getText());
            } else {
                JsonNode element = JsonSyntax.readTree(p);
                other = element == null ? "null" : element.toString();
            }
        }
        return RequestMember.array(strings, other, size);
    }

    /**
     * The members of an object a reader keeps, each with the members kept of its own value when
     * that is an object (none when it was named only as a leaf). Immutable.
     */
    public static final class Shape {
        private static final Shape NONE = new Shape(new String[0], new Shape[0]);

        final String[] names;
        final Shape[] members;

        private Shape(String[] names, Shape[] members) {
            this.names = names;
            this.members = members;
        }

        private static Shape of(List<String> paths) {
            Map<String, List<String>> byFirst = new LinkedHashMap<>();
            for (String path : paths) {
                int slash = path.indexOf('/');
                String first = slash < 0 ? path : path.substring(0, slash);
                List<String> rest = byFirst.computeIfAbsent(first, k -> new ArrayList<>());
                if (slash >= 0) {
                    rest.add(path.substring(slash + 1));
                }
            }
            if (byFirst.isEmpty()) {
                return NONE;
            }
            String[] names = byFirst.keySet().toArray(new String[0]);
            Shape[] members = new Shape[names.length];
            for (int i = 0; i < names.length; i++) {
                members[i] = of(byFirst.get(names[i]));
            }
            return new Shape(names, members);
        }

        /** The index of member {@code name}, or -1 when it is not kept. */
        int indexOf(String name) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
