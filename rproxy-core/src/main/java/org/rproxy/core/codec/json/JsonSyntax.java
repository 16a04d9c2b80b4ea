package org.rproxy.core.codec.json;

import static java.util.Objects.requireNonNull;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.rproxy.core.codec.JsonSyntaxErrors;
import org.rproxy.core.codec.Utf8;
import org.rproxy.core.model.AltoException;

/**
 * Turns bytes into a Jackson tree, or into an {@code E_SYNTAX} error (RFC 7285 §8.5.2) whose
 * message gives the line and column and nothing of Jackson's internals ({@link JsonSyntaxErrors},
 * which {@link org.rproxy.core.codec.Jcs#parse} words its errors with too).
 *
 * <p>Stricter than Jackson's defaults in four ways that matter for signed documents: bytes that
 * are not well-formed UTF-8 are refused before Jackson reads them ({@link Utf8}: Jackson reads an
 * overlong {@code C0 AF} as {@code /}, and guesses UTF-16 from NUL bytes), a string escaping a
 * lone surrogate is refused ({@link SurrogateCheck}), a member name that repeats in one object is refused (RFC 8259 §4 leaves its meaning open, and two
 * parsers could read different values from the same signed bytes), and anything after the
 * top-level value is refused. Immutable; the reader is shared by all threads.
 */
final class JsonSyntax {
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();
    /** Reads one value in the middle of a stream: what follows it is the caller's business. */
    private static final ObjectReader SUBTREE_READER = READER.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonSyntax() {
    }

    static JsonNode parse(byte[] bytes) {
        Utf8.check(requireNonNull(bytes, "bytes"));
        JsonNode tree;
        try (JsonParser p = new SurrogateCheck(READER.createParser(bytes))) {
            tree = READER.readTree(p);
        } catch (IOException e) {
            throw syntaxError(e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw JsonSyntaxErrors.empty();
        }
        return tree;
    }

    /** A streaming parser with the same strictness, for documents too large for a tree. */
    static JsonParser parser(byte[] bytes) {
        Utf8.check(requireNonNull(bytes, "bytes"));
        try {
            return new SurrogateCheck(READER.createParser(bytes));
        } catch (IOException e) {
            throw syntaxError(e);
        }
    }

    /** The same for a stream (a maps file): read as the parser goes, never held whole. */
    static JsonParser parser(java.io.InputStream in) {
        try {
            return new SurrogateCheck(READER.createParser(requireNonNull(in, "in")));
        } catch (IOException e) {
            throw syntaxError(e);
        }
    }

    /** The value at the parser's current token, as a tree. */
    static JsonNode readTree(JsonParser parser) throws IOException {
        return SUBTREE_READER.readTree(parser);
    }

    /**
     * Reads the value at {@code t} and what it holds as a tree reader would, keeping nothing:
     * strings decoded and numbers converted, so that a streaming reader finds the faults a tree
     * reader finds in the members it does not keep.
     */
    static void skip(JsonParser p, JsonToken t) throws IOException {
        int depth = 0;
        do {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else {
                readScalar(p, t);
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
        } while (true);
    }

    /**
     * Reads on as a tree reader would until the parser is back in {@code owner}, the context of
     * the object or array a value the reader gave up on belongs to: the rest of that value is
     * read for its syntax only, so that a syntax error after a fault is found still wins over it.
     */
    static void skipTo(JsonParser p, JsonStreamContext owner) throws IOException {
        while (p.getParsingContext() != owner) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return; // the parser itself refuses input that ends inside a value
            }
            readScalar(p, t);
        }
    }

    /** The string or number at {@code t} decoded, as a tree reader decodes it. */
    private static void readScalar(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            p.getText();
        } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            p.getNumberValue();
        }
    }

    /**
     * Refuses content after the top-level value as {@link #parse} does, with the same error at
     * the same token (a tree reader refuses it as trailing content).
     */
    static void checkEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw syntaxError(MismatchedInputException.from(p, JsonNode.class, "trailing token"));
        }
    }

    /** The {@code E_SYNTAX} error for a failure of the parser ({@link JsonSyntaxErrors}). */
    static AltoException syntaxError(IOException e) {
        return JsonSyntaxErrors.of(e);
    }
}
