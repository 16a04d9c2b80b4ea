package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an application that embeds the client gets on its class path: this module's runtime class
 * path as Maven resolves it ({@code target/runtime-classpath.txt}, written by the build), which
 * leaves out what {@code rproxy-core} needs only for the nodes (Netty, Caffeine, Micrometer, YAML
 * and XML, Bouncy Castle's PKIX). A client runs on it alone, in a JVM of its own, against a real
 * signing origin: a jar it needs left out fails the run.
 */
class ClientFootprintTest {
    /** The artifacts an embedding application gets with the client: each one is loaded by a client. */
    private static final List<String> RUNTIME_ARTIFACTS = List.of("bcprov-jdk18on", "jackson-annotations",
            "jackson-core", "jackson-databind", "rproxy-core", "slf4j-api");

    @TempDir
    Path dir;
    @AutoClose
    final Started started = new Started();

    @Test
    void theRuntimeClassPathHoldsOnlyWhatAClientLoads() throws IOException {
        List<String> artifacts = new ArrayList<>(new TreeSet<>(runtimeClassPath().stream()
                .map(ClientFootprintTest::artifactOf).toList()));
        assertEquals(RUNTIME_ARTIFACTS, artifacts, "rproxy-client's runtime dependencies changed: a jar an "
                + "application embedding the client now gets, or no longer gets. If the client loads it, list it "
                + "here; if only the nodes do, exclude it from rproxy-core in rproxy-client's pom");
    }

    @Test
    void aClientBootstrapsVerifiesAnswersAndFollowsOnItsRuntimeClassPathAlone() throws Exception {
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of()));
        List<String> classPath = new ArrayList<>();
        classPath.add(probeClasses().toString());
        classPath.add(location(AltoClient.class).toString());
        classPath.addAll(runtimeClassPath());
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", String.join(File.pathSeparator, classPath), FootprintProbe.class.getName(),
                origin.uri().toString(), origin.keyId(), dir.resolve("alto.state").toString())
                .redirectErrorStream(true).start();
        StringBuilder said = new StringBuilder();
        boolean edited = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                said.append(line).append('\n');
                if (!edited && line.startsWith(FootprintProbe.FOLLOWING)) {
                    LocalOrigin.writeCosts(origin.maps, 7);
                    edited = true;
                }
            }
        } finally {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        assertEquals(0, child.exitValue(), "the client on its runtime class path said:\n" + said);
        assertTrue(said.toString().contains(FootprintProbe.FOLLOWING + origin.uri()), "followed the origin's stream:\n" + said);
        assertTrue(said.toString().contains(FootprintProbe.CHANGED + "7.0"), said.toString());
    }

    /** The jars (or, in a reactor build, class folders) of this module's runtime class path. */
    private static List<String> runtimeClassPath() throws IOException {
        String line = Files.readString(Path.of("target", "runtime-classpath.txt")).strip();
        return line.isEmpty() ? List.of() : List.of(line.split(Pattern.quote(File.pathSeparator)));
    }

    /** The artifact id of a class path entry: a jar's name less its version, or a reactor module's folder. */
    private static String artifactOf(String entry) {
        Path p = Path.of(entry);
        if (!entry.endsWith(".jar")) {
            return p.getParent().getParent().getFileName().toString(); // MODULE/target/classes
        }
        Matcher m = Pattern.compile("(.+?)-\\d.*\\.jar").matcher(p.getFileName().toString());
        assertTrue(m.matches(), entry);
        return m.group(1);
    }

    /** A folder holding the probe's classes only (not the tests', which need the origin's jars). */
    private Path probeClasses() throws IOException, URISyntaxException {
        String pkg = FootprintProbe.class.getPackageName().replace('.', '/');
        Path from = location(FootprintProbe.class).resolve(pkg);
        Path to = Files.createDirectories(dir.resolve("probe").resolve(pkg));
        try (Stream<Path> classes = Files.list(from)) {
            for (Path c : classes.filter(c -> c.getFileName().toString().startsWith(FootprintProbe.class.getSimpleName())).toList()) {
                Files.copy(c, to.resolve(c.getFileName()));
            }
        }
        return dir.resolve("probe");
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
