package org.rproxy.core.codec.json;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * Turns bytes into a Jackson tree, or into an {@code E_SYNTAX} error (RFC 7285 §8.5.2) whose
 * message gives the line and column and nothing of Jackson's internals.
 *
 * <p>Stricter than Jackson's defaults in two ways that matter for signed documents: a member
 * name that repeats in one object is refused (RFC 8259 §4 leaves its meaning open, and two
 * parsers could read different values from the same signed bytes), and anything after the
 * top-level value is refused. Immutable; the reader is shared by all threads.
 */
final class JsonSyntax {
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;]*; (line: \\d+, column: \\d+)]");
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
        requireNonNull(bytes, "bytes");
        JsonNode tree;
        try {
            tree = READER.readTree(bytes);
        } catch (IOException e) {
            throw syntaxError(e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new AltoException(AltoError.syntax("empty body: expected a JSON value"));
        }
        return tree;
    }

    /** A streaming parser with the same strictness, for documents too large for a tree. */
    static JsonParser parser(byte[] bytes) {
        try {
            return READER.createParser(requireNonNull(bytes, "bytes"));
        } catch (IOException e) {
            throw syntaxError(e);
        }
    }

    /** The same for a stream (a maps file): read as the parser goes, never held whole. */
    static JsonParser parser(java.io.InputStream in) {
        try {
            return READER.createParser(requireNonNull(in, "in"));
        } catch (IOException e) {
            throw syntaxError(e);
        }
    }

    /** The value at the parser's current token, as a tree. */
    static JsonNode readTree(JsonParser parser) throws IOException {
        return SUBTREE_READER.readTree(parser);
    }

    /** The {@code E_SYNTAX} error for a failure of the parser. */
    static AltoException syntaxError(IOException e) {
        if (e instanceof JsonProcessingException j) {
            return new AltoException(AltoError.syntax(describe(j)));
        }
        // Reading from a byte array does no I/O; keep the message short all the same.
        return new AltoException(AltoError.syntax("unreadable JSON: " + e.getClass().getSimpleName()));
    }

    private static String describe(JsonProcessingException e) {
        String reason = firstLine(e.getOriginalMessage());
        if (e instanceof StreamConstraintsException) {
            return "JSON exceeds a parser limit: " + reason;
        }
        if (e instanceof MismatchedInputException) {
            // From the databind layer, whose messages name Java types; for a tree the only such
            // failure is content after the first value.
            reason = "unexpected content after the JSON value";
        }
        JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 0) {
            return "malformed JSON: " + reason;
        }
        return "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + reason;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        // Jackson names where an unclosed object began as "[Source: REDACTED (...); line: 1, column: 1]".
        String line = SOURCE.matcher(nl < 0 ? s : s.substring(0, nl)).replaceAll("$1");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
