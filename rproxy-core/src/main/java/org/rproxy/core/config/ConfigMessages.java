package org.rproxy.core.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/**
 * The operator's form of what Jackson reports while a config file is read: {@code key: reason},
 * the key a dotted path ({@code upstream.trust[1]}), and no Java type or field name in the reason.
 * Used by {@link ConfigLoader} and {@link ConfigProblems}. Stateless.
 */
final class ConfigMessages {

    /** The value in Jackson's "Numeric value (99999999999) out of range of int (...)". */
    private static final Pattern NUMBER = Pattern.compile("\\((-?[0-9]+)\\)");

    private ConfigMessages() {
    }

    /**
     * The reason of a failed binding, after the dotted path of the key at fault: {@code at} is the
     * path of the node that was bound (empty for the file's root).
     */
    static String describe(JsonMappingException e, String at) {
        if (e.getCause() instanceof JsonProcessingException cause && describeParsing(cause, at) != null) {
            return describeParsing(cause, at); // what the parser met inside a section, wrapped on its way out
        }
        String path = join(at, path(e.getPath()));
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return path + ": unknown key" + (known.isEmpty() ? "" : " (known: " + known + ")");
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException iae) {
            // The record's own check: its message starts with the key inside the section.
            return join(path, iae.getMessage());
        }
        if (e instanceof InvalidFormatException f) {
            return path + ": '" + f.getValue() + "' is not " + article(f.getTargetType());
        }
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            return path + ": " + iae.getMessage();
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return prefix(path) + "expected " + article(m.getTargetType()) + ConfigExamples.suchAs(m.getTargetType(), path);
        }
        if (e instanceof ValueInstantiationException) {
            // A record's constructor failed other than by its checks: its message names Java types.
            return prefix(path) + "not a usable value";
        }
        return prefix(path) + e.getOriginalMessage();
    }

    /**
     * The reason a parser gave up, or null when {@code e} comes from no parser: a key given twice
     * in one mapping, a whole number out of the range of its type, or text that is not YAML
     * ({@link YamlSyntax}: the line and what is wrong). {@code at} is the path of the node the
     * parser reads (empty for the file's root).
     */
    static String describeParsing(JsonProcessingException e, String at) {
        if (!(e.getProcessor() instanceof JsonParser p)) {
            return null;
        }
        // The parser stops where it failed: its context is the key's place in what it reads.
        String path = join(at, path(p.getParsingContext()));
        if (e instanceof JsonParseException && e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Duplicate field")) {
            return path + ": given twice" + (e.getLocation() == null ? ""
                    : " (again on line " + e.getLocation().getLineNr() + "; expected: each key once per section)");
        }
        if (e instanceof InputCoercionException c) {
            boolean isLong = c.getTargetType() == long.class || c.getTargetType() == Long.class;
            Matcher value = NUMBER.matcher(String.valueOf(e.getOriginalMessage()));
            return path + ": " + (value.find() ? value.group(1) + " is" : "a number") + " out of range (expected: a whole"
                    + " number from " + (isLong ? Long.MIN_VALUE : Integer.MIN_VALUE) + " to "
                    + (isLong ? Long.MAX_VALUE : Integer.MAX_VALUE) + ")";
        }
        return prefix(path) + YamlSyntax.describe(e);
    }

    /**
     * {@code line} with its line breaks and other control characters written as escapes
     * (a backslash escape such as {@code \n}): a key or value quoted from the file may hold them, and a
     * refusal is printed one problem a line, each starting with the file's name, so a break in
     * one would cut it and could pass off the rest as a problem of its own.
     */
    static String oneLine(String line) {
        StringBuilder b = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!Character.isISOControl(c) && c != 0x2028 && c != 0x2029) {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(line.length() + 8).append(line, 0, i);
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b == null ? line : b.toString();
    }

    /** {@code at} and {@code rest} as one dotted path; {@code rest} may start with an index. */
    static String join(String at, String rest) {
        if (at.isEmpty() || rest.isEmpty()) {
            return at + rest;
        }
        return rest.startsWith("[") ? at + rest : at + "." + rest;
    }

    /** {@code path: }, or nothing for the file's root. */
    static String prefix(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** The dotted path of a parser's place: {@code upstream.trust[1]}. */
    static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.addFirst("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                parts.addFirst(c.getCurrentName());
            }
        }
        String path = "";
        for (String part : parts) {
            path = join(path, part);
        }
        return path;
    }

    static String article(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            StringBuilder b = new StringBuilder("one of");
            for (Object c : type.getEnumConstants()) {
                b.append(' ').append(c.toString().toLowerCase(Locale.ROOT));
            }
            return b.toString();
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isRecord()) {
            return "a mapping";
        }
        if (type == String.class) {
            return "a single value (a text, not a mapping or list)";
        }
        return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }
}
