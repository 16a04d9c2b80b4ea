package org.rproxy.core.codec;

import java.io.IOException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * The {@code E_SYNTAX} error (RFC 7285 §8.5.2) for bytes Jackson could not read as JSON, in one
 * wording wherever they came from (a client's request body, an upstream's document, an update
 * stream's patch or signature event): the line and column of the fault and Jackson's reason on
 * one line, with nothing of Jackson's own location text ({@code [Source: REDACTED ...]}), nothing
 * of the bytes, and nothing of Jackson's advice on which of its features would accept the input
 * ({@code enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow}): an implementation detail,
 * and advice a client cannot take. Stateless; any thread.
 */
public final class JsonSyntaxErrors {
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;]*; (line: \\d+, column: \\d+)]");
    /**
     * Jackson's hints naming a feature to enable: "(not recognized as one since Feature 'X' not
     * enabled ...)", ": enable `X` to allow"; and the method a parser limit comes from:
     * "(1000, from `StreamReadConstraints.getMaxNestingDepth()`)".
     */
    private static final Pattern HINT = Pattern.compile(
            "\\s*\\(not recognized as one since Feature '[^']*' not enabled for parser\\)"
                    + "|\\s*[:;,]?\\s*\\(?\\s*enable `?[^`\\s]*`? to allow\\)?"
                    + "|,\\s*from\\s*`[^`]*`");
    /** Whatever names a Jackson type or feature still ({@code `...Feature.X`}, {@code com.fasterxml...}). */
    private static final Pattern NAME = Pattern.compile(
            "`[^`]*`|\\bcom\\.fasterxml[\\w.$]*|\\b\\w*Feature\\b(\\.\\w+)?|\\s*\\(?\\benable[sd]?\\b[^:;)]*\\)?");
    private static final Pattern NON_STANDARD = Pattern.compile("Non-standard token '([^']*)'");
    /**
     * Jackson's own current token at an end of input ("in VALUE_FALSE", "in END_OBJECT"), or
     * "in null" where a reader had cleared it: jargon, and different for the tree reader and the
     * request reader over the same bytes. Its worded reasons ("in a Number value") stay.
     */
    private static final Pattern TOKEN_NAME = Pattern.compile("(end-of-input) in (?:null|[A-Z]+(?:_[A-Z]+)+)\\b");

    private JsonSyntaxErrors() {
    }

    /** The error for a failure of Jackson's parser (or of its reader: trailing content). */
    public static AltoException of(IOException e) {
        if (e instanceof JsonProcessingException j) {
            return new AltoException(AltoError.syntax(describe(j)));
        }
        // Reading from a byte array does no I/O; keep the message short all the same.
        return new AltoException(AltoError.syntax("unreadable JSON: " + e.getClass().getSimpleName()));
    }

    /** The error for bytes holding no JSON value at all (nothing, or only whitespace). */
    public static AltoException empty() {
        return new AltoException(AltoError.syntax("empty body: expected a JSON value"));
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
        String line = withoutHints(SOURCE.matcher(nl < 0 ? s : s.substring(0, nl)).replaceAll("$1"));
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * {@code reason} with Jackson's hints on enabling its features taken out, and its gist for
     * the two such refusals that would otherwise read badly without them: a non-standard number
     * ({@code NaN}, {@code Infinity}) and a comment.
     */
    static String withoutHints(String reason) {
        String r = HINT.matcher(reason).replaceAll("");
        r = NON_STANDARD.matcher(r).replaceAll("'$1' is not JSON (a number is finite and written in digits)");
        r = r.replace("maybe a (non-standard) comment?", "JSON has no comments");
        r = TOKEN_NAME.matcher(r).replaceAll("$1");
        r = NAME.matcher(r).replaceAll("").strip();
        return r.isEmpty() ? "not JSON" : r;
    }
}
