package org.rproxy.core.codec.json;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import org.rproxy.core.codec.JsonSyntaxErrors;
import org.rproxy.core.model.AltoException;

/**
 * Reads a query request body (a filtered map, endpoint cost or endpoint property request) with
 * Jackson's streaming parser, keeping only the members the query reads: no tree of the whole
 * body is built. What it keeps is a {@link RequestMember} per member named in {@code paths}
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
     * Reads {@code body}.
     *
     * @param paths the members to keep, as {@code /}-joined paths from the root
     * @return the root, whose type the caller checks ({@link RequestMember#asObject})
     * @throws AltoException {@code E_SYNTAX} as {@link AltoJson#parse} throws it
     */
    public static RequestMember read(byte[] body, Set<String> paths) {
        requireNonNull(paths, "paths");
        try (JsonParser p = JsonSyntax.parser(requireNonNull(body, "body"))) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw JsonSyntaxErrors.empty();
            }
            RequestMember root = value(p, t, "", paths);
            if (p.nextToken() != null) {
                // what a tree reader refuses trailing content with, at the same token
                throw JsonSyntax.syntaxError(MismatchedInputException.from(p, JsonNode.class, "trailing token"));
            }
            return root;
        } catch (IOException e) {
            throw JsonSyntax.syntaxError(e);
        }
    }

    /** The JSON text of a request already parsed, for the readers of bodies (a convenience for tests and tools). */
    public static byte[] text(JsonNode tree) {
        return requireNonNull(tree, "tree").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The value at token {@code t}, kept as {@code path} says ({@code null}: read, not kept). */
    private static RequestMember value(JsonParser p, JsonToken t, String path, Set<String> paths) throws IOException {
        switch (t) {
            case START_OBJECT:
                return object(p, path, paths);
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

    private static RequestMember object(JsonParser p, String path, Set<String> paths) throws IOException {
        HashMap<String, RequestMember> kept = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String at = path.isEmpty() ? name : path + "/" + name;
            JsonToken t = p.nextToken();
            if (paths.contains(at)) {
                kept.put(name, value(p, t, at, paths));
            } else {
                skip(p, t);
            }
        }
        return RequestMember.object(kept);
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
                skip(p, t);
            } else if (t == JsonToken.VALUE_STRING) {
                strings.add(p.getText());
            } else {
                JsonNode element = JsonSyntax.readTree(p);
                other = element == null ? "null" : element.toString();
            }
        }
        return RequestMember.array(strings, other, size);
    }

    /** Reads the value at {@code t} and what it holds as a tree reader would, keeping nothing. */
    private static void skip(JsonParser p, JsonToken t) throws IOException {
        int depth = 0;
        do {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING) {
                p.getText();
            } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                p.getNumberValue();
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
        } while (true);
    }
}
