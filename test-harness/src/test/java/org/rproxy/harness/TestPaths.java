package org.rproxy.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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

    /** Copies the sample maps ({@code conf/maps}) into {@code maps}, made if missing; returns it. */
    static Path copySampleMaps(Path maps) throws IOException {
        Files.createDirectories(maps);
        try (Stream<Path> files = Files.list(repo().resolve("conf/maps"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, maps.resolve(p.getFileName()));
            }
        }
        return maps;
    }
}
