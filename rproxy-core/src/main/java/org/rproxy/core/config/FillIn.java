package org.rproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A value given for a key a config file may leave out, as a command line's option gives it
 * ({@code --upstream} for {@code upstream.url}): {@link ConfigLoader} sets {@code section.key} to
 * it when the file's {@code section} (added when the file has none) holds none of {@code unless},
 * and then binds and checks the file as if it held the value. So a key the settings require is
 * required of the file and the options together. Immutable.
 *
 * @param section the top-level section ({@code upstream})
 * @param key     the key in it ({@code url})
 * @param value   a text, or a list of texts, as the file would hold them; null for a key only dropped
 *                ({@link #dropping})
 * @param unless  the keys of the section that, any of them in the file, leave it as it is
 *                ({@code url} and {@code urls}: the file names its upstreams one way or the other)
 * @param replaces the keys of the section removed first: an option that wins over the file's value
 *                 ({@code --upstream} over {@code url} or {@code urls}), so that the file's value, which
 *                 will not be used, is neither read nor refused in the option's name
 */
public record FillIn(String section, String key, Object value, Set<String> unless, Set<String> replaces) {

    public FillIn {
        requireNonNull(section, "section");
        requireNonNull(key, "key");
        unless = Set.copyOf(unless);
        replaces = Set.copyOf(replaces);
        if (value == null ? !replaces.equals(Set.of(key)) || !unless.isEmpty()
                : !(value instanceof String || value instanceof List<?>)) {
            throw new IllegalArgumentException("value: a text or a list of texts, not "
                    + (value == null ? "null (see dropping)" : value.getClass()));
        }
        if (section.isEmpty() && value != null) {
            throw new IllegalArgumentException("section: a key of the root is only dropped, not set");
        }
    }

    /** A value for a key the file leaves out: the file's own, when it has one of {@code unless}, stays. */
    public FillIn(String section, String key, Object value, Set<String> unless) {
        this(section, key, value, unless, Set.of());
    }

    /** A value that replaces whatever the file holds for the keys {@code replaces}. */
    public static FillIn replacing(String section, String key, Object value, Set<String> replaces) {
        return new FillIn(section, key, value, Set.of(), replaces);
    }

    /**
     * Removes {@code section.key} from the file, setting nothing: an option given wins over it and is
     * applied to the settings read ({@code --listen} over {@code listen.address}), so the file's value,
     * which will not be used, is neither read nor refused, nor blamed on the option. {@code section}
     * empty: a key of the file's root ({@code mode}).
     */
    public static FillIn dropping(String section, String key) {
        return new FillIn(section, key, null, Set.of(), Set.of(key));
    }

    /** Whether this sets a value (a key the file may leave out), rather than only dropping the file's. */
    public boolean sets() {
        return value != null;
    }

    /** Applies {@code fills} to {@code tree}; a tree or section that is no mapping is left to the checks to refuse. */
    static void apply(JsonNode tree, List<FillIn> fills) {
        if (!(tree instanceof ObjectNode root)) {
            return;
        }
        for (FillIn f : fills) {
            if (f.section.isEmpty()) {
                root.remove(f.replaces); // a key of the root is only ever dropped
                continue;
            }
            JsonNode s = root.get(f.section);
            if (!f.sets() && (s == null || s.isNull())) {
                continue; // nothing to drop: no section made for it
            }
            if (s == null || s.isNull()) {
                s = root.putObject(f.section);
            }
            if (!(s instanceof ObjectNode section)) {
                continue;
            }
            section.remove(f.replaces);
            if (!f.sets() && section.isEmpty()) {
                root.remove(f.section); // as if the file had none: admin: {address: ...} with --admin given
                continue;
            }
            if (!f.sets() || f.unless.stream().anyMatch(section::hasNonNull)) {
                continue;
            }
            if (f.value instanceof List<?> list) {
                ArrayNode a = section.putArray(f.key);
                list.forEach(v -> a.add(String.valueOf(v)));
            } else {
                section.put(f.key, (String) f.value);
            }
        }
    }
}
