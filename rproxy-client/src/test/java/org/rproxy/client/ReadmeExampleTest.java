package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.CompiledExamples;

/**
 * The client library guide's example (docs/client-library.md) compiles as shown, as the body of a method with its imports
 * on top, against this module and what it depends on: an application vendor copying it gets no
 * missing import and no undeclared name; and its table of settings names every {@code with...}
 * method of {@link ClientOptions}, so that a setting is never findable in the Javadoc alone.
 */
class ReadmeExampleTest {

    @TempDir
    Path out;

    @Test
    void theClientLibraryExampleCompilesAsShown() throws Exception {
        String example = firstJavaBlockAfter(Path.of("..", "docs", "client-library.md"), "# Client library");
        String unit = asMethodBody(example);
        String className = "ReadmeExample";

        CompiledExamples.assertCompiles(className, unit, out, "the client library guide's example");
    }

    @Test
    void theGuideListsEverySetting() throws Exception {
        String guide = Files.readString(Path.of("..", "docs", "client-library.md"));
        List<String> missing = Arrays.stream(ClientOptions.class.getMethods())
                .map(java.lang.reflect.Method::getName)
                .filter(m -> m.startsWith("with"))
                .filter(m -> !Pattern.compile("^\\| `" + m + "\\(", Pattern.MULTILINE).matcher(guide).find())
                .sorted().distinct().toList();
        assertEquals(List.of(), missing, "settings missing from the table in docs/client-library.md");
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
