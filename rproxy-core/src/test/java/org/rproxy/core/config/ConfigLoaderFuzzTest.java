package org.rproxy.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link ConfigLoader} (and through it {@link YamlScan}, {@link YamlSyntax},
 * {@link ConfigMessages}, {@link ConfigProblems}, {@link Durations} and {@link ByteSize}) with
 * arbitrary text read as the {@code push:} settings. The contract of a config loader: any text
 * is either loaded or refused with a {@link ConfigException} whose every line names the source
 * and then says what is wrong, never another exception; and reading the same text twice ends the
 * same way. {@link PushConfig} is the type read because it binds sizes, durations, numbers and a
 * flag yet names no host: a section with an address would look host names up, which a fuzzer must
 * not send to a resolver. The listen section, which has one, is fuzzed by building its text from
 * the fuzzer's data: the address only in literal forms (IPv4 and IPv6 literals, a bare port, a
 * port that is not one, a value that is not a scalar), which are parsed and never looked up,
 * every other value a number, a size or any text in double quotes (escaped, so that no fuzzed
 * text can become a key), and a key of the fuzzer's own beside them; there a refusal must name,
 * on every line, one of the keys the text holds. Seeds: {@code ConfigLoaderFuzzTestInputs/<method>/}.
 */
class ConfigLoaderFuzzTest {
    private static final String SOURCE = "fuzz.yaml";
    private static final ConfigLoader LOADER = new ConfigLoader();

    @FuzzTest(maxDuration = "5m")
    void pushSettingsLoadOrAreRefusedNamingTheKey(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        String first = outcome(yaml);
        assertEquals(first, outcome(yaml), "the same text read twice");
    }

    private static final List<String> COUNTS = List.of("max-connections", "max-unfinished-streams", "max-concurrent-streams",
            "max-answers-held", "max-connections-per-address");
    private static final List<String> SIZES = List.of("send-buffer", "max-request-body", "max-pending-answer-bytes");
    private static final List<String> UNITS = List.of("", "B", "KB", "MB", "GB", "TB", "kb", "K", " MB", "MiB");
    private static final Set<String> KNOWN = Set.of("address", "tls", "max-connections", "send-buffer", "max-request-body",
            "max-unfinished-streams", "max-pending-answer-bytes", "max-concurrent-streams", "max-answers-held",
            "max-connections-per-address");

    @FuzzTest(maxDuration = "5m")
    void listenSettingsWithLiteralAddressesLoadOrAreRefusedNamingTheKey(FuzzedDataProvider data) {
        List<String> keys = new ArrayList<>();
        StringBuilder yaml = new StringBuilder();
        if (data.consumeBoolean()) {
            keys.add("address");
            yaml.append("address: ").append(literalAddress(data)).append('\n');
        }
        for (String key : COUNTS) {
            if (data.consumeBoolean()) {
                keys.add(key);
                yaml.append(key).append(": ").append(data.consumeBoolean() ? Long.toString(data.consumeLong())
                        : quoted(data.consumeString(12))).append('\n');
            }
        }
        for (String key : SIZES) {
            if (data.consumeBoolean()) {
                keys.add(key);
                yaml.append(key).append(": ").append(data.consumeBoolean()
                        ? quoted(data.consumeLong() + data.pickValue(UNITS)) : quoted(data.consumeString(12))).append('\n');
            }
        }
        String other = data.consumeString(16).replaceAll("[^a-z-]", "");
        if (!other.isEmpty() && !KNOWN.contains(other) && data.consumeBoolean()) {
            keys.add(other);
            yaml.append(other).append(": ").append(data.consumeInt()).append('\n');
        }
        String text = yaml.length() == 0 ? "{}" : yaml.toString();
        String first = listenOutcome(text, keys);
        assertEquals(first, listenOutcome(text, keys), "the same text read twice");
    }

    /**
     * An address only a literal parser reads: whatever the fuzzer gives, the host is an IP literal
     * or none, and the port's text holds no colon (which would move the split into the host).
     */
    private static String literalAddress(FuzzedDataProvider data) {
        String port = data.consumeBoolean() ? Integer.toString(data.consumeInt(-2, 70_000)) : Long.toString(data.consumeLong());
        return switch (data.consumeInt(0, 6)) {
            case 0 -> port;
            case 1 -> quoted(data.consumeInt(0, 255) + "." + data.consumeInt(0, 255) + "." + data.consumeInt(0, 255) + "."
                    + data.consumeInt(0, 255) + ":" + port);
            case 2 -> quoted("[" + data.pickValue(List.of("::1", "::", "fe80::1", "2001:db8::", "::ffff:127.0.0.1"))
                    + "]:" + port);
            case 3 -> quoted("[2001:db8::" + Integer.toHexString(data.consumeInt(0, 0xffff)) + "]:" + port);
            case 4 -> quoted("127.0.0.1:" + data.consumeString(6).replaceAll("[^0-9+ -]", ""));
            case 5 -> data.pickValue(List.of("[1, 2]", "{port: 1}", "null", "\"\"", "\":1\"", "\"[]:1\""));
            default -> quoted("::1:" + port);
        };
    }

    /** {@code text} as a YAML double-quoted scalar: every character that is not printable ASCII escaped. */
    private static String quoted(String text) {
        StringBuilder b = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                b.append('\\').appendCodePoint(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.appendCodePoint(c);
            } else {
                b.append(String.format("\\U%08x", c));
            }
        });
        return b.append('"').toString();
    }

    /** As {@link #outcome}, for the listen section: every line of a refusal names one of {@code keys}. */
    private static String listenOutcome(String yaml, List<String> keys) {
        try {
            ListenConfig loaded = LOADER.read(yaml, SOURCE, ListenConfig.class);
            assertEquals(loaded.address(), Address.parse(loaded.address().toString()), "the address written reads back");
            assertTrue(loaded.maxConnections() >= 1 && loaded.maxConnections() <= ListenLimits.MAX_CONNECTIONS,
                    () -> "max-connections loaded: " + loaded);
            assertTrue(loaded.connectionsPerAddress() <= loaded.maxConnections(),
                    () -> "a limit per address that could never apply, loaded: " + loaded);
            assertTrue(loaded.answersHeld() == 0 || loaded.answersHeld() >= ListenLimits.MIN_ANSWERS_HELD,
                    () -> "answers held without a reserve, loaded: " + loaded);
            return "loaded: " + loaded;
        } catch (ConfigException refused) {
            String message = refused.getMessage();
            assertNotNull(message);
            for (String line : message.split("\n", -1)) {
                assertTrue(keys.stream().anyMatch(k -> line.startsWith(SOURCE + ": " + k + ": ") && line.length()
                        > (SOURCE + ": " + k + ": ").length()), () -> "a refusal line that names none of " + keys + ": '"
                        + line + "' in:\n" + message + "\nof:\n" + yaml);
            }
            return message;
        }
    }

    /** "loaded: <record>" or the refusal's message, after checking that it is well formed. */
    private static String outcome(String yaml) {
        try {
            PushConfig loaded = LOADER.read(yaml, SOURCE, PushConfig.class);
            assertNotNull(loaded);
            return "loaded: " + loaded;
        } catch (ConfigException refused) {
            String message = refused.getMessage();
            assertNotNull(message);
            for (String line : message.split("\n", -1)) {
                assertTrue(line.startsWith(SOURCE + ": ") && line.length() > SOURCE.length() + 2,
                        () -> "a refusal line that does not name the source and a reason: '" + line + "' in:\n" + message);
            }
            return message;
        }
    }
}
