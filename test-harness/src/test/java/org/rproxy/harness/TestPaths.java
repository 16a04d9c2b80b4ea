package org.rproxy.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout is, for tests that read {@code conf/} (set by failsafe; falls back to the working folder). */
final class TestPaths {
    private TestPaths() {
    }

    static Path repo() {
        String p = System.getProperty("rproxy.repo");
        Path start = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("conf/maps"))) {
                return d;
            }
        }
        throw new IllegalStateException("conf/maps not found above " + start);
    }
}
