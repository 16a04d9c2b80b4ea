package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///GuideExample.java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return unit;
                }
            };
            boolean ok = javac.getTask(log, files, diagnostics, List.of("-proc:none", "-d", out.toString(),
                    "-classpath", System.getProperty("java.class.path")), null, List.of(source)).call();
            String errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
            assertEquals("", errors, "the overlay guide's example, as compiled:\n" + unit + "\n" + log);
            assertTrue(ok, log.toString());
        }
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
