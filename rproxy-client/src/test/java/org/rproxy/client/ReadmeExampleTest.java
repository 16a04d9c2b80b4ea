package org.rproxy.client;

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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library guide's example (docs/client-library.md) compiles as shown, as the body of a method with its imports
 * on top, against this module and what it depends on: an application vendor copying it gets no
 * missing import and no undeclared name.
 */
class ReadmeExampleTest {

    @TempDir
    Path out;

    @Test
    void theClientLibraryExampleCompilesAsShown() throws Exception {
        String example = firstJavaBlockAfter(Path.of("..", "docs", "client-library.md"), "# Client library");
        String unit = asMethodBody(example);
        String className = "ReadmeExample";

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return unit;
                }
            };
            boolean ok = javac.getTask(log, files, diagnostics, List.of("-proc:none", "-d", out.toString(),
                    "-classpath", System.getProperty("java.class.path")), null, List.of(source)).call();
            String errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
            assertEquals("", errors, "the client library guide's example, as compiled:\n" + unit + "\n" + log);
            assertTrue(ok, log.toString());
        }
    }

    /**
     * The example as a compilation unit: its imports first, then the rest as the body of a method
     * (which may throw anything, as the application's own method would declare).
     */
    private static String asMethodBody(String example) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : example.split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return imports + "class ReadmeExample {\n    void example() throws Exception {\n" + body + "    }\n}\n";
    }

    /** The first fenced {@code java} block after the line {@code heading}. */
    private static String firstJavaBlockAfter(Path markdown, String heading) throws Exception {
        String text = "\n" + Files.readString(markdown); // a heading may open the file
        int at = text.indexOf("\n" + heading + "\n");
        assertTrue(at >= 0, "no " + heading + " in " + markdown);
        int start = text.indexOf("```java\n", at);
        int end = text.indexOf("\n```", start + 1);
        assertTrue(start >= 0 && end > start, "no java block after " + heading);
        return text.substring(start + "```java\n".length(), end + 1);
    }
}
