package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launchers of a clone, {@code bin/rproxy} and {@code bin/harness}, run as a user runs them:
 * real processes, with a {@code PATH} of their own that has bash, the few tools they use and
 * this build's {@code java}, and no {@code mvn}, so that no test starts a build. The clone's own
 * launchers run the jars this build made (an IT runs after {@code package}): usage, an unknown
 * option and the exit codes the commands document (0, and 2 for a usage error), passed through
 * as they are. Copies of them in a clone laid out in a temporary folder (their jar a link to the
 * one built, or none) show what they do without Maven: a jar that is not built is refused with
 * exit status 1 and what to do, so is {@code REBUILD=1}, and a jar older than the sources runs as
 * it is, with a line saying so; and a launcher run through a symbolic link finds its clone. The
 * installed launcher ({@code rproxy-dist/src/bin/rproxy}, in a layout of its own) runs the jar in
 * its {@code lib/} with {@code JAVA_HOME}'s or {@code PATH}'s {@code java}, and without either
 * says so with exit status 2. With a stand-in {@code mvn} on the path, a build says why and what it
 * runs, takes {@code MAVEN_ARGS}, a failed one says so with exit status 1, and two launches at
 * once build once.
 */
class LaunchersIT {
    private static final List<String> TOOLS = List.of("bash", "sh", "dirname", "readlink", "find");

    @TempDir
    Path dir;

    private Path repo;
    private Path path;

    @BeforeEach
    void toolsWithoutMaven() throws IOException {
        repo = TestPaths.repo().toRealPath();
        Path bin = Files.createDirectories(dir.resolve("path"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(bin.resolve(tool), which(tool));
        }
        Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        path = bin;
    }

    // ---- the clone's own launchers, on the jars this build made

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"rproxy", "harness"})
    void helpListsTheCommandsAndExitsZero(String launcher) throws Exception {
        Run run = run(repo.resolve("bin").resolve(launcher), Map.of(), "--help");
        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.startsWith("Usage: " + launcher + " "), run.toString());
        List<String> commands = launcher.equals("rproxy")
                ? List.of("keygen", "origin", "proxy", "fetch", "verify", "check", "demo")
                : List.of("topology", "viewers", "churn", "scenario", "client-heap");
        for (String command : commands) {
            assertTrue(run.out.contains("\n  " + command + " "), command + " listed: " + run);
        }
        assertFalse(run.err.contains("is not built"), run.toString());
    }

    @ParameterizedTest(name = "{0} --bogus")
    @ValueSource(strings = {"rproxy", "harness"})
    void anUnknownOptionIsAUsageErrorExitingTwo(String launcher) throws Exception {
        Run run = run(repo.resolve("bin").resolve(launcher), Map.of(), "--bogus");
        assertEquals(2, run.exit, run.toString());
        assertTrue(run.err.contains("Unknown option: '--bogus'"), run.toString());
        assertTrue(run.err.contains("Usage: " + launcher + " "), run.toString());
        assertEquals("", run.out, run.toString());
    }

    @Test
    void rproxyWithoutACommandIsAUsageErrorAndVersionExitsZero() throws Exception {
        Run none = run(repo.resolve("bin/rproxy"), Map.of());
        assertEquals(2, none.exit, none.toString());
        assertTrue(none.err.contains("missing a command (keygen, origin, proxy, fetch, verify, check or demo)"),
                none.toString());

        Run version = run(repo.resolve("bin/rproxy"), Map.of(), "-V");
        assertEquals(0, version.exit, version.toString());
        assertTrue(version.out.startsWith("rproxy "), version.toString());
    }

    @Test
    void aCommandsOwnExitStatusComesThrough() throws Exception {
        // nothing listens on port 1 of loopback: fetch's UNREACHABLE, exit status 3
        Run run = run(repo.resolve("bin/rproxy"), Map.of(), "fetch", "--origin", "http://127.0.0.1:1", "--keyid",
                "A".repeat(43), "/directory");
        assertEquals(3, run.exit, run.toString());
        assertTrue(run.out.startsWith("UNREACHABLE /directory: http://127.0.0.1:1/directory: unreachable"), run.toString());
    }

    // ---- copies of the launchers in a clone of their own, without Maven

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rproxy", "harness"})
    void aJarNotBuiltIsRefusedWithExitOneNamingMaven(String launcher) throws Exception {
        Path clone = clone(launcher, false);
        Run run = run(clone.resolve("bin").resolve(launcher), Map.of(), "--help");
        assertEquals(1, run.exit, run.toString());
        assertTrue(run.err.startsWith(launcher + ": " + jarIn(clone, launcher) + " is not built, and building it needs"
                + " Maven (mvn); mvn is not on PATH.\n"), run.toString());
        assertTrue(run.err.contains("apt-get install maven"), run.toString());
        assertEquals("", run.out, run.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rproxy", "harness"})
    void aJarOlderThanTheSourcesRunsAsBuiltWithALineSayingSo(String launcher) throws Exception {
        Path clone = clone(launcher, true);
        // a source edited since the jar was built (the jar here is a link made just now)
        Path edited = Files.writeString(clone.resolve("rproxy-core/src/main/Edited.java"), "class Edited {}\n");
        Files.setLastModifiedTime(edited, FileTime.from(Instant.now().plusSeconds(3600)));

        Run run = run(clone.resolve("bin").resolve(launcher), Map.of(), "--help");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.startsWith("Usage: " + launcher + " "), run.toString());
        assertEquals(launcher + ": the sources are newer than " + jarIn(clone, launcher) + ", but Maven (mvn) is not"
                + " on PATH to rebuild it; running it as built", run.err.strip(), run.toString());
    }

    /**
     * A test edited since the jar was built is no part of the jar: the launcher runs it without a
     * word. It took any file under a module's {@code src} for a source of the jar, and an operator
     * running a node from a clone where a test had been edited saw it rebuild (or, without Maven,
     * "the sources are newer").
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rproxy", "harness"})
    void aTestEditedSinceTheBuildIsNoReasonToBuild(String launcher) throws Exception {
        Path clone = clone(launcher, true);
        Path edited = Files.createDirectories(clone.resolve("rproxy-core/src/test")).resolve("EditedTest.java");
        Files.writeString(edited, "class EditedTest {}\n");
        Files.setLastModifiedTime(edited, FileTime.from(Instant.now().plusSeconds(3600)));

        Run run = run(clone.resolve("bin").resolve(launcher), Map.of(), "--help");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.startsWith("Usage: " + launcher + " "), run.toString());
        assertEquals("", run.err, run.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rproxy", "harness"})
    void aRebuildAskedForWithoutMavenIsRefusedWithExitOne(String launcher) throws Exception {
        Path clone = clone(launcher, true);
        Run run = run(clone.resolve("bin").resolve(launcher), Map.of("REBUILD", "1"), "--help");
        assertEquals(1, run.exit, run.toString());
        assertTrue(run.err.startsWith(launcher + ": REBUILD=1 asks to build " + jarIn(clone, launcher) + " again, which"
                + " needs Maven (mvn); mvn is not on PATH.\n"), run.toString());
        assertEquals("", run.out, run.toString());
    }

    /**
     * A build says why it runs and the command, and takes Maven as the operator set it up:
     * {@code MAVEN_ARGS} (Maven 3.8 has none of its own) on the command line, once (emptied for mvn,
     * so 3.9 does not add it again). The {@code mvn} here is a stand-in on {@code PATH} that records
     * what it was given (a real build of the clone takes minutes): the launcher's part is the
     * command it runs and what it says. Before, it said "first run; takes a minute" whatever the
     * reason, gave no option of the operator's, and did not look at conf/logback*.xml, which the
     * jars carry.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rproxy", "harness"})
    void aBuildSaysWhyAndWhatItRunsAndTakesMavenArgs(String launcher) throws Exception {
        Path clone = clone(launcher, true);
        Path edited = Files.writeString(clone.resolve("conf/logback.xml"), "<configuration/>\n");
        Files.setLastModifiedTime(edited, FileTime.from(Instant.now().plusSeconds(3600)));
        Path record = dir.resolve("mvn-args");
        withMavenStandIn();

        Run run = run(clone.resolve("bin").resolve(launcher), Map.of("MAVEN_ARGS", "-o -s my-settings.xml",
                "MVN_RECORD", record.toString()), "--help");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.startsWith("Usage: " + launcher + " "), run.toString());
        String module = launcher.equals("rproxy") ? "rproxy-app" : "test-harness";
        assertTrue(run.err.startsWith(launcher + ": building " + jarIn(clone, launcher) + " (conf/logback.xml is newer):"
                + " mvn -o -s my-settings.xml -B -q -DskipTests -pl " + module + " -am package, in " + clone + "\n"),
                run.toString());
        assertEquals(List.of("-o", "-s", "my-settings.xml", "-B", "-q", "-DskipTests", "-pl", module, "-am", "package",
                "MAVEN_ARGS=[]", "in " + clone), Files.readAllLines(record), run.toString());
    }

    /** A failed build says so and how to see all of it, exit 1; before, the launcher ended with Maven's status and its [ERROR] lines alone. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rproxy", "harness"})
    void aFailedBuildSaysSoWithExitOne(String launcher) throws Exception {
        Path clone = clone(launcher, true);
        withMavenStandIn();

        Run run = run(clone.resolve("bin").resolve(launcher), Map.of("REBUILD", "1", "MVN_EXIT", "3",
                "MVN_RECORD", dir.resolve("mvn-args").toString()), "--help");

        assertEquals(1, run.exit, run.toString());
        assertEquals("", run.out, run.toString());
        String module = launcher.equals("rproxy") ? "rproxy-app" : "test-harness";
        assertTrue(run.err.contains("[ERROR] stand-in failure\n" + launcher + ": the build failed (mvn exit status 3);"
                + " the lines above are Maven's errors.\n  The whole log: cd " + clone + " && mvn -B -DskipTests -pl "
                + module + " -am package\n"), run.toString());
    }

    /**
     * Two launches at once that both find the jar to build: one builds, the other waits for it and
     * runs the jar built. Before, both ran Maven at once, and one failed replacing the other's jar.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rproxy", "harness"})
    void twoLaunchesAtOnceBuildOnce(String launcher) throws Exception {
        Path flock;
        try {
            flock = which("flock");
        } catch (AssertionError none) {
            Assumptions.abort("flock (util-linux) is not on PATH: the launchers build without a lock");
            return;
        }
        for (String tool : List.of("flock", "mkdir", "sleep", "ln")) {
            Files.createSymbolicLink(path.resolve(tool), tool.equals("flock") ? flock : which(tool));
        }
        Path clone = clone(launcher, false);
        Path builds = dir.resolve("builds");
        Path mvn = path.resolve("mvn");
        // a build that takes a while, then leaves the jar (a link to the one this build made)
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                echo "build in $PWD" >> "$MVN_BUILDS"
                sleep 2
                mkdir -p "$(dirname "$MVN_JAR")" && ln -sfn "$MVN_REAL" "$MVN_JAR"
                """);
        assertTrue(mvn.toFile().setExecutable(true, true));
        Map<String, String> env = Map.of("MVN_BUILDS", builds.toString(), "MVN_JAR", jarIn(clone, launcher).toString(),
                "MVN_REAL", jarIn(repo, launcher).toString());

        List<Process> both = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                ProcessBuilder pb = new ProcessBuilder(clone.resolve("bin").resolve(launcher).toString(), "--help")
                        .directory(dir.toFile()).redirectOutput(dir.resolve("out" + i).toFile())
                        .redirectError(dir.resolve("err" + i).toFile());
                pb.environment().clear();
                pb.environment().put("PATH", path.toString());
                pb.environment().put("HOME", dir.toString());
                pb.environment().putAll(env);
                both.add(pb.start());
            }
            for (int i = 0; i < 2; i++) {
                assertTrue(both.get(i).waitFor(2, TimeUnit.MINUTES), "launch " + i + " ended within 2 minutes");
                String err = Files.readString(dir.resolve("err" + i), StandardCharsets.UTF_8);
                assertEquals(0, both.get(i).exitValue(), err);
                assertTrue(Files.readString(dir.resolve("out" + i), StandardCharsets.UTF_8)
                        .startsWith("Usage: " + launcher + " "), err);
            }
        } finally {
            for (Process p : both) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        assertEquals(List.of("build in " + clone), Files.readAllLines(builds), "one build for both launches");
    }

    @Test
    void aLauncherRunThroughASymbolicLinkFindsItsClone() throws Exception {
        Path clone = clone("rproxy", true);
        Path home = Files.createDirectories(dir.resolve("home/bin"));
        Path link = Files.createSymbolicLink(home.resolve("rproxy"), clone.resolve("bin/rproxy"));

        Run run = run(link, Map.of(), "--help");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.startsWith("Usage: rproxy "), run.toString());
        assertEquals("", run.err, "the jar beside the linked launcher, fresh: " + run);
    }

    // ---- the installed launcher (release archive, Debian package): rproxy-dist's bin/rproxy

    @Test
    void theInstalledLauncherRunsTheJarsBesideItWithTheJavaOfJavaHomeOrPath() throws Exception {
        Path home = installed();
        Path noJava = Files.createDirectories(dir.resolve("path-without-java"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(noJava.resolve(tool), which(tool));
        }

        Run onPath = run(home.resolve("bin/rproxy"), Map.of(), "--help");
        assertEquals(0, onPath.exit, onPath.toString());
        assertTrue(onPath.out.startsWith("Usage: rproxy "), onPath.toString());

        Run javaHome = run(home.resolve("bin/rproxy"), Map.of("PATH", noJava.toString(),
                "JAVA_HOME", System.getProperty("java.home")), "--bogus");
        assertEquals(2, javaHome.exit, javaHome.toString());
        assertTrue(javaHome.err.contains("Unknown option: '--bogus'"), javaHome.toString());

        Run none = run(home.resolve("bin/rproxy"), Map.of("PATH", noJava.toString(),
                "JAVA_HOME", dir.resolve("no-such-jdk").toString()), "--help");
        assertEquals(2, none.exit, none.toString());
        assertEquals("rproxy: no Java runtime found: install Java 17 or later (Debian: default-jre-headless) or set"
                + " JAVA_HOME", none.err.strip(), none.toString());
        assertEquals("", none.out, none.toString());
    }

    /**
     * Puts an {@code mvn} on the launchers' {@code PATH} that writes its arguments, the
     * {@code MAVEN_ARGS} it sees and its folder, a line each, to {@code $MVN_RECORD}, and exits
     * with {@code $MVN_EXIT} (0 unset; otherwise after an [ERROR] line, as Maven's are).
     */
    private void withMavenStandIn() throws IOException {
        Path mvn = path.resolve("mvn");
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                { printf '%s\\n' "$@"; echo "MAVEN_ARGS=[${MAVEN_ARGS-unset}]"; echo "in $PWD"; } > "$MVN_RECORD"
                if [[ "${MVN_EXIT:-0}" != 0 ]]; then echo "[ERROR] stand-in failure"; fi
                exit "${MVN_EXIT:-0}"
                """);
        assertTrue(mvn.toFile().setExecutable(true, true));
    }

    /** An installed layout in the temporary folder: rproxy-dist's launcher in {@code bin/}, the jar built in {@code lib/}. */
    private Path installed() throws IOException {
        Path home = dir.resolve("opt/rproxy");
        Path script = Files.createDirectories(home.resolve("bin")).resolve("rproxy");
        Files.copy(repo.resolve("rproxy-dist/src/bin/rproxy"), script);
        assertTrue(script.toFile().setExecutable(true, true));
        Path real = jarIn(repo, "rproxy");
        assertTrue(Files.isRegularFile(real), real + " is built by the package phase, before the ITs");
        Files.createSymbolicLink(Files.createDirectories(home.resolve("lib")).resolve("rproxy.jar"), real);
        return home;
    }

    /**
     * A clone of the launcher's own in the temporary folder: its script copied from the real
     * {@code bin/}, a pom, a source folder and the sample maps dated long ago, and with
     * {@code built} its jar a link to the one this build made (made now: newer than them).
     */
    private Path clone(String launcher, boolean built) throws IOException {
        Path clone = Files.createDirectories(dir.resolve("clone"));
        Path script = Files.createDirectories(clone.resolve("bin")).resolve(launcher);
        Files.copy(repo.resolve("bin").resolve(launcher), script);
        assertTrue(script.toFile().setExecutable(true, true));
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        List<Path> sources = List.of(clone.resolve("pom.xml"), clone.resolve("rproxy-core/pom.xml"),
                clone.resolve("rproxy-core/src/main/Core.java"), clone.resolve("test-harness/pom.xml"),
                clone.resolve("test-harness/src/main/Harness.java"), clone.resolve("conf/maps/map.json"),
                clone.resolve("conf/logback.xml"));
        for (Path p : sources) {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "\n");
            Files.setLastModifiedTime(p, old);
        }
        if (built) {
            Path real = jarIn(repo, launcher);
            assertTrue(Files.isRegularFile(real), real + " is built by the package phase, before the ITs");
            Path jar = jarIn(clone, launcher);
            Files.createDirectories(jar.getParent());
            Files.createSymbolicLink(jar, real);
        }
        return clone;
    }

    private static Path jarIn(Path clone, String launcher) {
        return launcher.equals("rproxy") ? clone.resolve("rproxy-app/target/rproxy.jar")
                : clone.resolve("test-harness/target/harness.jar");
    }

    /** What a launcher printed and its exit status. */
    private record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code script args} with only {@code PATH} (the tools, no mvn), {@code HOME} and
     * {@code env} set, from the temporary folder; kills it by its PID if it runs past 2 minutes.
     */
    private Run run(Path script, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", path.toString());
        pb.environment().put("HOME", dir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), script + " ended within 2 minutes");
            return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                    Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Where the test's own {@code PATH} finds {@code tool}. */
    private static Path which(String tool) {
        for (String d : System.getenv("PATH").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, tool);
            if (!d.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(tool + " is not on PATH");
    }
}
