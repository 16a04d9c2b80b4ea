package org.rproxy.harness.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No main source file of any module is over {@value #MOST_LINES} lines (CONTRIBUTING.md): a class
 * that grows past that is split by responsibility. Read from the checkout the build runs in (the
 * folder above this module's), every {@code <module>/src/main/java} under it.
 */
class MainSourceSizeTest {
    static final int MOST_LINES = 300;

    /** The checkout: the first folder at or above the working directory with a pom.xml and rproxy-core/. */
    static Path checkout() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("rproxy-core/src/main/java"))) {
                return p;
            }
        }
        return null;
    }

    @Test
    void noMainSourceFileIsOverThreeHundredLines() throws IOException {
        Path root = checkout();
        assertNotNull(root, "no checkout (pom.xml and rproxy-core/) at or above " + Path.of("").toAbsolutePath());
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
                }
            }
        }
        assertTrue(sources.size() > 100, "main sources found under " + root + ": " + sources.size());
        List<String> over = sources.stream().filter(f -> lines(f) > MOST_LINES).sorted()
                .map(f -> lines(f) + " " + root.relativize(f)).toList();
        assertEquals(List.of(), over, "main source files over " + MOST_LINES + " lines (split them by responsibility)");
    }

    private static long lines(Path f) {
        try (Stream<String> l = Files.lines(f)) {
            return l.count();
        } catch (IOException e) {
            throw new UncheckedIOException(f.toString(), e);
        }
    }
}
