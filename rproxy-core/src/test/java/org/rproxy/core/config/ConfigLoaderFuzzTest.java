package org.rproxy.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link ConfigLoader} (and through it {@link YamlScan}, {@link YamlSyntax},
 * {@link ConfigMessages}, {@link ConfigProblems}, {@link Durations} and {@link ByteSize}) with
 * arbitrary text read as the {@code push:} settings. The contract of a config loader: any text
 * is either loaded or refused with a {@link ConfigException} whose every line names the source
 * and then says what is wrong, never another exception; and reading the same text twice ends the
 * same way. {@link PushConfig} is the type read because it binds sizes, durations, numbers and a
 * flag yet names no host: a section with an address would look host names up, which a fuzzer must
 * not send to a resolver. Seeds: {@code ConfigLoaderFuzzTestInputs/<method>/}.
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
