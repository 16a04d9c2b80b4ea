package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.origin.OriginKeys;
import org.rproxy.overlay.OverlayConfig;

/**
 * Bad YAML of every kind, in each file an operator writes (a proxy's config, an origin's keys
 * file, an overlay's file), read as the node reads it at start and as {@code rproxy check} does:
 * every message names the file, the line where the parser knows it, the key where there is one,
 * and says what is wrong in words, with no Java class, no parser feature and no quoted source.
 */
class ConfigFileSyntaxTest {

    /** What no message may hold: Java and Jackson names, the parser's quotes of the text, its token names. */
    private static final Pattern FOREIGN = Pattern.compile(
            "Exception|com\\.fasterxml|org\\.yaml|java\\.|Jackson|\\[Source|`|StreamReadConstraints|Feature|"
                    + "in 'reader'|<block|<stream|<scalar|Cannot |instance of|\\^");

    @TempDir
    Path dir;

    /** How each file is read: the node's reading (one refusal) and the check's (every problem). */
    enum Kind {
        PROXY, PROXY_CHECK, KEYS, OVERLAY, OVERLAY_CHECK
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        // name, text, what the message must hold (every kind: it fails before any key is bound)
        Object[][] syntax = {
            {"tab", "cache:\n\tmax-bytes: 2MB\n", "cache: line 2, column 1: a tab (expected: spaces"},
            {"bad indentation", "cache:\n    max-bytes: 2MB\n  spool: true\n", "cache: line 3, column 3: not lined up"},
            {"a key given twice", "cache: {max-bytes: 2MB}\ncache: {max-bytes: 3MB}\n", "cache: given twice (again on line 2"},
            {"an unclosed quote", "name: 'abc\n", "name: line 2, column 1: a quote opened on line 1 is never closed"},
            {"an unclosed double quote", "name: \"abc\n", "a quote opened on line 1 is never closed"},
            {"an unclosed brace", "cache: {max-bytes: 2MB\n", "the '{' opened on line 1 is not closed"},
            {"a colon in a value", "name: a: b\n", "name: line 1, column 8: a ': ' where a value goes"},
            {"an alias", "cache: &c {max-bytes: 2MB}\nrefresh: *c\n", "refresh: line 2: an alias (*c)"},
            {"an alias to nothing", "name: *edge\n", "name: line 1: an alias (*edge)"},
            {"a second document", "cache: {max-bytes: 2MB}\n---\nname: x\n", "a second document on line 3"},
            {"an empty file", "", "empty (expected a mapping of settings)"},
            {"only a comment", "# nothing yet\n", "empty (expected a mapping of settings)"},
            {"null", "null\n", "empty (expected a mapping of settings)"},
            {"a list at the top", "- a\n- b\n", ": expected a mapping"},
            {"a control character", "\u0001name: x\n", "line 1, column 1: a control character"},
            {"a key that is a list", "? [a, b]\n: c\n", "line 1, column 4: a key that is a list or a mapping"},
            {"a bad !!binary", "name: !!binary abc\n", "a !!binary value that is not base64"},
            {"nested too deep", "name: " + "[".repeat(1100) + "\n", "nested deeper than the parser reads"},
        };
        for (Object[] c : syntax) {
            for (Kind k : Kind.values()) {
                all.add(Arguments.of(c[0], ((String) c[1]).getBytes(StandardCharsets.UTF_8), k, c[2]));
            }
        }
        all.add(Arguments.of("a binary file", new byte[] {0, 1, 2, (byte) 0xff, 0x7f}, Kind.PROXY, "not UTF-8 text: byte 0xFF on line 1"));
        all.add(Arguments.of("a binary file", new byte[] {0, 1, 2, (byte) 0xff, 0x7f}, Kind.KEYS, "not UTF-8 text: byte 0xFF on line 1"));
        all.add(Arguments.of("a binary file", new byte[] {0, 1, 2, (byte) 0xff, 0x7f}, Kind.OVERLAY, "not UTF-8 text: byte 0xFF on line 1"));
        // values that read as YAML but not as the settings: the key and the reason
        Object[][] values = {
            {"a list where a mapping goes", "cache: [1, 2]\n", Kind.PROXY, "cache: expected a mapping"},
            {"a mapping where a value goes", "name: {a: 1}\n", Kind.PROXY, "name: expected a single value (a text, not a mapping or list)"},
            {"a huge number", "listen: {max-connections: 99999999999999999999999}\n", Kind.PROXY,
                "listen.max-connections: 99999999999999999999999 is out of range (expected: 1 to"},
            {"a word where a number goes", "listen: {max-connections: many}\n", Kind.PROXY_CHECK,
                "listen.max-connections: 'many' is not a whole number"},
            {"a list where a mapping goes", "keys: {file: a}\n", Kind.KEYS, "keys: expected a list"},
            {"a word where a number goes", "dht-port: many\n", Kind.OVERLAY, "dht-port: 'many' is not a whole number"},
            {"a huge number", "dht-port: 99999999999999999999\n", Kind.OVERLAY_CHECK, "dht-port: 99999999999999999999 is out of range"},
        };
        for (Object[] c : values) {
            all.add(Arguments.of(c[0], ((String) c[1]).getBytes(StandardCharsets.UTF_8), c[2], c[3]));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} in a {2} file")
    @MethodSource("cases")
    void isRefusedNamingTheFileTheLineAndTheKeyInTheOperatorsWords(String name, byte[] text, Kind kind, String expected)
            throws Exception {
        Path file = Files.write(dir.resolve("settings.yaml"), text);
        List<String> lines = switch (kind) {
            case PROXY -> refusal(() -> new ConfigLoader().load(file, ProxyConfig.class));
            case PROXY_CHECK -> new ConfigLoader().check(file, ProxyConfig.class);
            case KEYS -> refusal(() -> OriginKeys.read(file));
            case OVERLAY -> refusal(() -> OverlayFiles.load(file));
            case OVERLAY_CHECK -> new ConfigLoader().check(file, OverlayConfig.class);
        };
        assertFalse(lines.isEmpty(), name);
        for (String line : lines) {
            assertTrue(line.startsWith(file + ": "), "names the file: " + line);
            assertFalse(FOREIGN.matcher(line).find(), "in the operator's words: " + line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains(expected)), "expected '" + expected + "' in " + lines);
    }

    private static List<String> refusal(org.junit.jupiter.api.function.Executable read) {
        ConfigException e = assertThrows(ConfigException.class, read);
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(lines.size(), lines.stream().filter(l -> !l.isBlank()).count(), "no blank lines: " + e.getMessage());
        return lines;
    }
}
