package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every class of core's main code, for the tests that scan it for public ways to a type only a
 * verifier may make ({@link VerdictTest}, {@link VerifiedRepresentationTest}).
 */
final class CoreClasses {

    private CoreClasses() {
    }

    /** The classes of the folder {@link ResponseVerifier} was loaded from (core's own build), loaded without initialising. */
    static List<Class<?>> all() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(ResponseVerifier.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(root), "core's classes are a folder in its own build: " + root);
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.startsWith("org.rproxy.core.") && !name.endsWith("package-info")) {
                    out.add(Class.forName(name, false, CoreClasses.class.getClassLoader()));
                }
            }
        }
        assertTrue(out.contains(ResponseVerifier.class), "the walk found core's classes");
        return out;
    }
}
