package org.rproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a YAML config file into a tree of records, once, at start. Keys are kebab-case
 * ({@code max-bytes} binds {@code maxBytes}); an unknown key, a value of the wrong form, or a
 * failed check in a record's constructor refuses the whole file, naming the file, the dotted key
 * and the reason of each problem {@link #check} finds, one a line:
 *
 * <pre>
 *   conf/pull.yaml: upstream.url: missing
 *   conf/pull.yaml: cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)
 *   conf/pull.yaml: upstream.urll: unknown key (known: ca, connect-timeout, ...)
 * </pre>
 *
 * A key given twice in one section, or a second YAML document ({@code ---}), is refused too: the
 * parser would otherwise keep one of the two values, or never read the second document; so is an
 * alias ({@code *name}), which the parser would read as the text of its name. Text that is not
 * YAML is refused with the line and what is wrong in words ({@link YamlSyntax}), one line each.
 *
 * {@link #check} lists every such problem of a file ({@code rproxy check}); a refusal by
 * {@link #load} says the same lines. Files are read as UTF-8 ({@link ConfigText}).
 * Sizes ({@link ByteSize}), durations ({@link Durations}) and addresses ({@link Address}) are
 * read from their text forms, as {@link ConfigMapper} binds them. Thread-safe; stateless apart
 * from the mapper.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper;

    public ConfigLoader() {
        this.mapper = ConfigMapper.create();
    }

    /**
     * Reads {@code file} as a {@code type}.
     *
     * @throws ConfigException naming the file and why: missing or unreadable ({@code f.yaml: no such file}),
     *                         empty, not YAML, or every key at fault, one a line ({@code f.yaml: bt-port: 70000
     *                         (expected: 1 to 65535, or 0 for any free port)}, {@code f.yaml: seedin: unknown key (known: ...)})
     */
    public <T> T load(Path file, Class<T> type) {
        requireNonNull(file, "file");
        return read(ConfigText.read(file), file.toString(), type);
    }

    /**
     * Reads {@code file} as a {@code type}, with {@code fills} in place of the keys it leaves out
     * (what a command line gives), so that a key required of the settings is required of the file
     * and the options together, not of the file alone; and without the keys {@link FillIn#dropping}
     * drops. A file with no document (empty, or comments alone) leaves out every key; unless a
     * fill sets one, it is refused as empty.
     */
    public <T> T load(Path file, Class<T> type, List<FillIn> fills) {
        requireNonNull(file, "file");
        requireNonNull(fills, "fills");
        if (fills.isEmpty()) {
            return load(file, type);
        }
        String yaml = ConfigText.read(file);
        String source = file.toString();
        JsonNode tree = tree(yaml, source, fills.stream().anyMatch(FillIn::sets));
        FillIn.apply(tree, fills);
        try {
            return mapper.readerFor(type).readValue(tree);
        } catch (JsonMappingException e) {
            List<String> all = new ConfigProblems(mapper, source).of(tree, type);
            String first = ConfigMessages.oneLine(source + ": " + ConfigMessages.describe(e, ""));
            throw all.size() <= 1 ? new ConfigException(all.isEmpty() ? first : all.get(0), e)
                    : new ConfigException(String.join("\n", all));
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + IoProblems.reason(e), e);
        }
    }

    /**
     * Reads {@code yaml} as a {@code type}; {@code source} names it in messages. A text that
     * does not bind is refused with every problem {@link #check} finds in it, one a line (as
     * {@code rproxy check} lists them), so that a start and a check say the same.
     */
    public <T> T read(String yaml, String source, Class<T> type) {
        requireNonNull(yaml, "yaml");
        requireNonNull(source, "source");
        YamlScan.refuseMisreadValues(mapper, yaml, source);
        T value = null;
        try (JsonParser p = mapper.createParser(yaml)) {
            if (p.nextToken() != null) {
                value = mapper.readValue(p, type);
                onlyDocument(p, source);
            }
        } catch (JsonMappingException e) {
            throw every(yaml, source, type, ConfigMessages.oneLine(source + ": " + ConfigMessages.describe(e, "")), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(notReadable(source, e), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage(), e);
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
        String yaml;
        try {
            yaml = ConfigText.read(file);
        } catch (ConfigException e) {
            return List.of(e.getMessage());
        }
        return check(yaml, file.toString(), type);
    }

    /** {@link #check} of {@code file} with {@code fills} in place of the keys it leaves out (see {@link #load(Path, Class, List)}). */
    public List<String> check(Path file, Class<?> type, List<FillIn> fills) {
        requireNonNull(file, "file");
        requireNonNull(type, "type");
        requireNonNull(fills, "fills");
        JsonNode tree;
        try {
            tree = tree(ConfigText.read(file), file.toString(), fills.stream().anyMatch(FillIn::sets));
        } catch (ConfigException e) {
            return List.of(e.getMessage());
        }
        FillIn.apply(tree, fills);
        return new ConfigProblems(mapper, file.toString()).of(tree, type);
    }

    /** {@link #check} of a text already read; {@code source} names it. */
    private List<String> check(String yaml, String source, Class<?> type) {
        JsonNode tree;
        try {
            tree = tree(yaml, source, false);
        } catch (ConfigException e) {
            return List.of(e.getMessage());
        }
        return new ConfigProblems(mapper, source).of(tree, type);
    }

    /**
     * The tree of {@code yaml}, one document, not empty; or, with {@code noDocumentIsNoKeys}
     * (the options fill keys in), an empty mapping for a text with no document at all (empty,
     * or comments alone), as {@link FillIn} adds a section the file leaves out.
     *
     * @throws ConfigException naming {@code source} and what is wrong: not YAML, a second document, empty
     */
    private JsonNode tree(String yaml, String source, boolean noDocumentIsNoKeys) {
        YamlScan.refuseMisreadValues(mapper, yaml, source);
        JsonNode tree = null;
        try (JsonParser p = mapper.createParser(yaml)) {
            if (p.nextToken() != null) {
                tree = mapper.readTree(p);
                onlyDocument(p, source);
            } else if (noDocumentIsNoKeys) {
                tree = mapper.createObjectNode();
            }
        } catch (JsonProcessingException e) {
            throw new ConfigException(notReadable(source, e), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + IoProblems.reason(e), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException(source + ": empty (expected a mapping of settings)");
        }
        return tree;
    }

    /**
     * The refusal of a text that did not bind: every problem {@link #check} finds, one a line,
     * or {@code first} (the binding's own message) when the check finds none.
     * The failure stays the cause only when it is the one problem (a caller may look into it:
     * a host name that did not resolve is the machine's state, not the file's).
     */
    private ConfigException every(String yaml, String source, Class<?> type, String first, JsonMappingException e) {
        List<String> all = check(yaml, source, type);
        if (all.size() <= 1) {
            return new ConfigException(all.isEmpty() ? first : all.get(0), e);
        }
        return new ConfigException(String.join("\n", all));
    }

    /**
     * Refuses a second YAML document after the one read ({@code ---} starts one): nothing reads
     * it, so the settings in it would be ignored without a word.
     */
    private static void onlyDocument(JsonParser p, String source) throws IOException {
        if (p.nextToken() != null) {
            throw new ConfigException(source + ": a second document on line " + p.currentTokenLocation().getLineNr()
                    + " (expected: one YAML document; '---' starts another, which nothing would read)");
        }
    }

    /** The message for text that does not read as YAML: a key given twice, or a syntax error. */
    private static String notReadable(String source, JsonProcessingException e) {
        String reason = ConfigMessages.describeParsing(e, "");
        return ConfigMessages.oneLine(reason != null ? source + ": " + reason
                : source + ": not valid YAML: " + YamlSyntax.describe(e));
    }
}
