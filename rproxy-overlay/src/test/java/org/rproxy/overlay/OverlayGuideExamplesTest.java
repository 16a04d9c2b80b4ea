package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.testing.CompiledExamples;

/**
 * The overlay guide's two client-peer examples (docs/overlay.md) compile as shown, each with its own
 * imports, as the body of a method given the client's {@code options}: an app vendor copying one
 * meets no missing import, no class whose package it must guess, and no pseudo-code.
 */
class OverlayGuideExamplesTest {

    @TempDir
    Path out;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"A client peer (", "The same client peer in code"})
    void theGuidesClientPeerExampleCompilesAsShown(String after) throws Exception {
        String example = javaBlockAfter(repo().resolve("docs/overlay.md"), after);
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : example.split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String unit = imports + "class GuideExample {\n    void example(org.rproxy.client.ClientOptions options) {\n"
                + body + "    }\n}\n";
        CompiledExamples.assertCompiles("GuideExample", unit, out, "the overlay guide's example");
    }

    /** The first fenced {@code java} block after the first line starting with {@code after}. */
    private static String javaBlockAfter(Path markdown, String after) throws Exception {
        String text = "\n" + Files.readString(markdown);
        int at = text.indexOf("\n" + after);
        assertTrue(at >= 0, "no paragraph '" + after + "' in " + markdown);
        int start = text.indexOf("```java\n", at);
        int end = text.indexOf("\n```", start + 1);
        assertTrue(start >= 0 && end > start, "no java block after " + after);
        return text.substring(start + "```java\n".length(), end + 1);
    }

    private static Path repo() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (d.resolve("docs/overlay.md").toFile().isFile()) {
                return d;
            }
        }
        throw new IllegalStateException("docs/overlay.md not found");
    }
}
