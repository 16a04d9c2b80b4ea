package org.rproxy.core.codec;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * RFC 8785 JSON Canonicalization Scheme: the one byte form of a JSON value that the origin signs
 * and that a proxy rebuilds after applying a merge patch (RFC 7396), so both arrive at the same
 * bytes. Objects have their members sorted by the UTF-16 code units of their names (§3.2.3),
 * numbers are IEEE 754 doubles written as ECMAScript writes them (§3.2.2.3), strings use the
 * minimal escaping of §3.2.2.2, and there is no whitespace.
 *
 * <p>Input that is not I-JSON (RFC 7493: bytes that are not well-formed UTF-8, duplicate names,
 * lone surrogates, numbers beyond the range of a double) is rejected with {@link AltoException} carrying {@code E_SYNTAX}. Stateless;
 * any thread. Output is produced in one pass over the tree into one buffer; a writer that holds
 * its members in order already uses {@link CanonicalJsonWriter} and needs no tree.
 */
public final class Jcs {
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();

    private Jcs() {
    }

    /** Parses {@code json} strictly and returns its canonical UTF-8 bytes. */
    public static byte[] canonicalize(byte[] json) {
        requireNonNull(json, "json");
        return canonicalize(parse(json));
    }

    /** The canonical UTF-8 bytes of {@code node}. */
    public static byte[] canonicalize(JsonNode node) {
        requireNonNull(node, "node");
        Utf8Json out = new Utf8Json(256);
        write(out, node);
        return out.toBytes();
    }

    /** ECMAScript {@code Number.prototype.toString} of a finite double; -0 gives {@code "0"}. */
    public static String formatNumber(double value) {
        return EcmaNumbers.format(value);
    }

    /**
     * Parses {@code json} as RFC 8785 input would be parsed: one value, no duplicate names.
     *
     * @throws AltoException {@code E_SYNTAX} with the line and column of the fault, worded as a
     *                       request body's ({@link JsonSyntaxErrors})
     */
    public static JsonNode parse(byte[] json) {
        Utf8.check(requireNonNull(json, "json"));
        JsonNode node;
        try {
            node = READER.readTree(json);
        } catch (IOException e) {
            throw JsonSyntaxErrors.of(e);
        }
        if (node == null || node.isMissingNode()) {
            throw JsonSyntaxErrors.empty();
        }
        return node;
    }

    private static void write(Utf8Json out, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(out, node);
            case ARRAY -> writeArray(out, node);
            case STRING -> out.string(node.textValue());
            case NUMBER -> out.number(node.doubleValue());
            case BOOLEAN -> out.ascii(node.booleanValue() ? "true" : "false");
            case NULL -> out.ascii("null");
            default -> throw syntax("unsupported JSON node: " + node.getNodeType());
        }
    }

    private static void writeObject(Utf8Json out, JsonNode node) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
        // String.compareTo orders by UTF-16 code units, which is exactly RFC 8785 §3.2.3.
        members.sort(Map.Entry.comparingByKey());
        out.ascii('{');
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                out.ascii(',');
            }
            Map.Entry<String, JsonNode> m = members.get(i);
            out.string(m.getKey());
            out.ascii(':');
            write(out, m.getValue());
        }
        out.ascii('}');
    }

    private static void writeArray(Utf8Json out, JsonNode node) {
        out.ascii('[');
        for (int i = 0; i < node.size(); i++) {
            if (i > 0) {
                out.ascii(',');
            }
            write(out, node.get(i));
        }
        out.ascii(']');
    }

    private static AltoException syntax(String message) {
        return new AltoException(AltoError.syntax(message));
    }
}
