package org.rproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a YAML config file into a tree of records, once, at start. Keys are kebab-case
 * ({@code max-bytes} binds {@code maxBytes}); an unknown key, a value of the wrong form, or a
 * failed check in a record's constructor refuses the whole file with one message naming the
 * file, the dotted key and the reason:
 *
 * <pre>
 *   conf/pull.yaml: upstream.url: missing
 *   conf/pull.yaml: cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)
 *   conf/pull.yaml: upstream.urll: unknown key (known: ca, connect-timeout, ...)
 * </pre>
 *
 * {@link #check} finds every such problem of a file instead of the first ({@code rproxy check}).
 * Sizes ({@link ByteSize}), durations ({@link Durations}) and addresses ({@link Address}) are
 * read from their text forms. Thread-safe; stateless apart from the configured mapper.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper;

    public ConfigLoader() {
        SimpleModule texts = new SimpleModule("rproxy-config-texts")
                .addDeserializer(Duration.class, text(Durations::parse))
                .addDeserializer(ByteSize.class, text(ByteSize::parse))
                .addDeserializer(Address.class, text(Address::parse))
                .addDeserializer(Path.class, text(Path::of))
                .addDeserializer(URI.class, text(URI::create));
        this.mapper = YAMLMapper.builder(new YAMLFactory())
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .addModule(texts)
                .build();
    }

    /** Reads {@code file} as a {@code type}. */
    public <T> T load(Path file, Class<T> type) {
        requireNonNull(file, "file");
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        return read(yaml, file.toString(), type);
    }

    /** Reads {@code yaml} as a {@code type}; {@code source} names it in messages. */
    public <T> T read(String yaml, String source, Class<T> type) {
        requireNonNull(yaml, "yaml");
        requireNonNull(source, "source");
        if (yaml.isBlank()) {
            throw new ConfigException(source + ": empty (expected a mapping of settings)");
        }
        T value;
        try {
            value = mapper.readValue(yaml, type);
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": " + describe(e, ""), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage()
                    + where(e), e);
        }
        if (value == null) {
            throw new ConfigException(source + ": empty (expected a mapping of settings)");
        }
        return value;
    }

    /**
     * Every problem {@link #load} would find in {@code file} read as a {@code type}, in the form
     * of its message ({@code "file: key: reason"}), instead of the first: each section and each
     * value is checked whatever became of the others (see {@link ConfigProblems}). Empty when
     * {@code load} would succeed.
     */
    public List<String> check(Path file, Class<?> type) {
        requireNonNull(file, "file");
        requireNonNull(type, "type");
        JsonNode tree;
        try {
            String yaml = Files.readString(file);
            if (yaml.isBlank()) {
                return List.of(file + ": empty (expected a mapping of settings)");
            }
            tree = mapper.readTree(yaml);
        } catch (NoSuchFileException e) {
            return List.of(file + ": no such file");
        } catch (JsonMappingException e) {
            return List.of(file + ": " + describe(e, ""));
        } catch (JsonProcessingException e) {
            return List.of(file + ": not valid YAML: " + e.getOriginalMessage() + where(e));
        } catch (IOException e) {
            return List.of(file + ": cannot read: " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return List.of(file + ": empty (expected a mapping of settings)");
        }
        return new ConfigProblems(mapper, file.toString()).of(tree, type);
    }

    /**
     * The reason of a failed binding, after the dotted path of the key at fault: {@code at} is the
     * path of the node that was bound (empty for the file's root).
     */
    static String describe(JsonMappingException e, String at) {
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
            return path + ": expected " + article(m.getTargetType());
        }
        return (path.isEmpty() ? "" : path + ": ") + e.getOriginalMessage();
    }

    /** {@code at} and {@code rest} as one dotted path; {@code rest} may start with an index. */
    static String join(String at, String rest) {
        if (at.isEmpty() || rest.isEmpty()) {
            return at + rest;
        }
        return rest.startsWith("[") ? at + rest : at + "." + rest;
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

    private static String article(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            StringBuilder b = new StringBuilder("one of");
            for (Object c : type.getEnumConstants()) {
                b.append(' ').append(c.toString().toLowerCase(java.util.Locale.ROOT));
            }
            return b.toString();
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isRecord()) {
            return "a mapping";
        }
        return "a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static String where(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /** A deserializer from a scalar's text; the parser's IllegalArgumentException becomes the reason. */
    private static <T> JsonDeserializer<T> text(java.util.function.Function<String, T> parse) {
        return new JsonDeserializer<T>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.currentToken().isScalarValue()) {
                    throw MismatchedInputException.from(p, (Class<?>) null, "expected a single value, not "
                            + (p.currentToken().isStructStart() ? "a mapping or list" : p.currentToken()));
                }
                String s = p.getValueAsString();
                try {
                    return parse.apply(s);
                } catch (IllegalArgumentException e) {
                    JsonMappingException m = JsonMappingException.from(p, e.getMessage(), e);
                    throw m;
                }
            }
        };
    }
}
