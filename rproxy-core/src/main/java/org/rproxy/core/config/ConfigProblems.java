package org.rproxy.core.config;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Finds every problem of a config tree, for {@code rproxy check}, by binding it the way
 * {@link ConfigLoader#load} does but piece by piece, so that one bad value does not hide the next.
 * A section (a record) is walked key by key: an unknown key is a problem, each value is bound on
 * its own (sizes, durations, addresses, numbers, names), and the section is then built without
 * the keys that are unknown or did not bind, which runs its own checks (ranges, files, keys that
 * must go together) on the rest. A section's check stops at its first failure, so the key at
 * fault is taken out and the section built again to find the next one, until it builds or a
 * required key is what fails. Nothing is re-implemented
 * here: every message is the one {@code load} would give. One instance per check; runs on the
 * caller's thread.
 */
final class ConfigProblems {
    private static final PropertyNamingStrategies.NamingBase KEBAB =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.KEBAB_CASE;

    private final ObjectMapper mapper;
    private final String source;
    private final List<String> problems = new ArrayList<>();

    ConfigProblems(ObjectMapper mapper, String source) {
        this.mapper = mapper;
        this.source = source;
    }

    /** Every problem of {@code tree} as a {@code type}, each as {@code "source: key: reason"}. */
    List<String> of(JsonNode tree, Class<?> type) {
        walk(tree, mapper.constructType(type), "");
        return problems.stream().map(ConfigMessages::oneLine).toList();
    }

    /** Checks {@code node} at {@code path}; true when it had no problem. */
    private boolean walk(JsonNode node, JavaType type, String path) {
        int before = problems.size();
        if (type.getRawClass().isRecord() && node.isObject()) {
            walkSection((ObjectNode) node, type, path);
        } else if (type.isCollectionLikeType() && node.isArray() && type.getContentType().getRawClass().isRecord()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), type.getContentType(), path + "[" + i + "]");
            }
            if (problems.size() == before) {
                bind(node, type, path);
            }
        } else {
            bind(node, type, path);
        }
        return problems.size() == before;
    }

    private void walkSection(ObjectNode node, JavaType type, String path) {
        Map<String, JavaType> keys = new TreeMap<>();
        for (RecordComponent c : type.getRawClass().getRecordComponents()) {
            keys.put(KEBAB.translate(c.getName()), mapper.getTypeFactory().constructType(c.getGenericType()));
        }
        // A key that is unknown or whose value does not bind is set aside, and the section is built
        // without it, so that its other keys still meet the section's checks.
        Set<String> setAside = new HashSet<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JavaType keyType = keys.get(field.getKey());
            String at = ConfigMessages.join(path, field.getKey());
            if (keyType == null) {
                problems.add(source + ": " + at + ": unknown key (known: " + String.join(", ", keys.keySet()) + ")");
                setAside.add(field.getKey());
            } else if (!walk(field.getValue(), keyType, at)) {
                setAside.add(field.getKey());
                keysRange(node, type, field.getKey(), keyType);
            }
        }
        ObjectNode rest = node.deepCopy();
        rest.remove(setAside);
        buildSection(rest, type, path, setAside);
    }

    /**
     * Builds the section, taking out each key its checks refuse and building it again to find the
     * next; {@code refused} holds the keys already taken out.
     */
    private void buildSection(ObjectNode node, JavaType type, String path, Set<String> refused) {
        while (true) {
            try {
                mapper.readerFor(type).readValue(node);
                return;
            } catch (JsonMappingException e) {
                String key = e instanceof ValueInstantiationException && e.getPath().isEmpty()
                        && e.getCause() instanceof IllegalArgumentException iae ? firstKey(iae.getMessage()) : null;
                if (key != null && (refused.contains(key) || e.getCause().getMessage().equals(key + ": missing")
                        && refused.stream().anyMatch(r -> r.startsWith(key)))) {
                    // A key taken out is missing now, or one it stood in for (url for urls): the
                    // section cannot be built without it.
                    return;
                }
                problems.add(source + ": " + ConfigMessages.describe(e, path));
                if (key == null || !node.has(key)) {
                    return;
                }
                refused.add(key);
                node.remove(key);
            } catch (IOException e) {
                problems.add(source + ": " + unreadable(e, path));
                return;
            }
        }
    }

    /**
     * When the value of {@code key} was a whole number out of its type's range (its problem the
     * last one added), the range the section's own check gives for the key instead of the type's,
     * where it has one: {@code listen.max-connections: 99999999999999999999 is out of range
     * (expected: 1 to 1000000)}, not {@code from -2147483648 to 2147483647}. Found by building
     * the section with the type's bound on the value's side in its place.
     */
    private void keysRange(ObjectNode section, JavaType type, String key, JavaType keyType) {
        JsonNode value = section.get(key);
        Class<?> raw = keyType.getRawClass();
        boolean isInt = raw == Integer.class || raw == int.class;
        if (!value.isIntegralNumber() || !(isInt || raw == Long.class || raw == long.class)
                || !problems.get(problems.size() - 1).endsWith(" to " + (isInt ? Integer.MAX_VALUE : Long.MAX_VALUE) + ")")) {
            return;
        }
        boolean above = value.bigIntegerValue().signum() > 0;
        ObjectNode bound = section.deepCopy();
        if (isInt) {
            bound.put(key, above ? Integer.MAX_VALUE : Integer.MIN_VALUE);
        } else {
            bound.put(key, above ? Long.MAX_VALUE : Long.MIN_VALUE);
        }
        try {
            mapper.readerFor(type).readValue(bound);
        } catch (ValueInstantiationException e) {
            String m = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : null;
            int expected = m == null || !m.startsWith(key + ": ") ? -1 : m.indexOf(" (expected: ");
            if (expected >= 0 && m.endsWith(")")) {
                String last = problems.remove(problems.size() - 1);
                problems.add(last.substring(0, last.lastIndexOf(" (expected: ")) + m.substring(expected));
            }
        } catch (IOException e) {
            // another key of the section fails first: the type's range stays
        }
    }

    private void bind(JsonNode node, JavaType type, String path) {
        try {
            mapper.readerFor(type).readValue(node);
        } catch (JsonMappingException e) {
            problems.add(source + ": " + ConfigMessages.describe(e, path));
        } catch (IOException e) {
            problems.add(source + ": " + unreadable(e, path));
        }
    }

    /** What the parser of a node met (a number out of range), as {@code key: reason}. */
    private static String unreadable(IOException e, String path) {
        String reason = e instanceof JsonProcessingException j ? ConfigMessages.describeParsing(j, path) : null;
        if (reason != null) {
            return reason;
        }
        return path + ": " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
    }

    /** The key a section check's message starts with ({@code "trust[0]: ..."} is {@code trust}), or null. */
    private static String firstKey(String message) {
        if (message == null) {
            return null;
        }
        int end = 0;
        while (end < message.length() && ":.[ ".indexOf(message.charAt(end)) < 0) {
            end++;
        }
        return end > 0 && end < message.length() ? message.substring(0, end) : null;
    }
}
