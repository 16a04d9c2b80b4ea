package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rproxy demo}: an origin, two pull proxies and a push proxy, the proxies listed in the
 * origin's signed directory and capability; every {@code rproxy} line it prints works as
 * printed, wherever it is run from (the launcher's path, or {@code rproxy} when PATH finds it);
 * closing it frees every port; without {@code --dir}, a failed start and a stop leave no key behind.
 */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void startsFourNodesListsTheProxiesAndEveryPrintedCommandWorks() throws Exception {
        List<Integer> ports = new ArrayList<>();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (RunningDemo demo = RunningDemo.start(dir, 0)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    dir.resolve("keys/origin.key"))), "the demo's key is kept as keygen keeps one");
            DemoCommand.printGuide(new PrintStream(printed, true, StandardCharsets.UTF_8), demo);
            List<String> proxies = demo.proxyUris();
            assertEquals(3, proxies.size());
            ports.add(demo.origin().address().getPort());
            proxies.forEach(p -> ports.add(URI.create(p).getPort()));
            assertEquals(4, ports.stream().distinct().count(), ports.toString());

            Path directory = dir.resolve("directory.json");
            CommandRun fetched = CommandRun.of("fetch", demo.origin().baseUri() + "/directory", "--trust",
                    demo.pub().toString(), "--body", directory.toString());
            assertEquals(0, fetched.exit(), fetched.toString());
            JsonNode listed = new ObjectMapper().readTree(directory.toFile()).path("meta").path("alto-redist")
                    .path("proxies");
            List<String> urls = new ArrayList<>();
            listed.forEach(n -> urls.add(n.textValue()));
            assertEquals(proxies, urls, listed.toString());
            Path capability = dir.resolve("capability.xml");
            assertEquals(0, CommandRun.of("fetch", demo.origin().baseUri() + "/capability", "--trust",
                    demo.pub().toString(), "--body", capability.toString()).exit());
            String xml = Files.readString(capability);
            proxies.forEach(p -> assertTrue(xml.contains(p), p + " in " + xml));

            String text = printed.toString(StandardCharsets.UTF_8);
            int ran = 0;
            // Run from the test's classes, the guide's lines start with "rproxy" (the launcher is none).
            for (String line : text.lines().map(String::strip)
                    .filter(l -> l.startsWith("rproxy fetch ") || l.startsWith("rproxy verify ")).toList()) {
                String command = line.replaceFirst("\\s+#.*$", "");
                String[] args = Arrays.copyOfRange(command.split("\\s+"), 1, command.split("\\s+").length);
                CommandRun run = CommandRun.of(args);
                assertEquals(0, run.exit(), command + "\n" + run);
                if (line.contains("--origin")) {
                    // Discovered: answered by one of the proxies the origin lists, not by the origin.
                    assertTrue(proxies.stream().anyMatch(p -> run.toString().contains("from=" + p)), run.toString());
                }
                ran++;
            }
            assertEquals(7, ran, text);
            assertFalse(text.contains("bin/rproxy"), text);
            assertTrue(text.contains("rproxy fetch --origin " + demo.origin().baseUri() + " --keyid "
                    + demo.origin().keyId() + " /networkmap/default-network-map"), text);
        }
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, s.getLocalPort());
            } catch (IOException e) {
                throw new AssertionError("port " + port + " still taken after the demo closed", e);
            }
        }
    }

    @Test
    void aSecondDemoOnTheWorkFolderOfARunningOneIsRefusedAndLeavesItsKeyAndMapsAlone() throws Exception {
        try (RunningDemo first = RunningDemo.start(dir, 0)) {
            Path key = dir.resolve("keys/origin.key");
            byte[] keyBefore = Files.readAllBytes(key);
            byte[] pubBefore = Files.readAllBytes(first.pub());
            // Run again with the same --dir: it wrote a new key over the running demo's, which that
            // origin picked up within a second and signed with, so its own proxies refused every update.
            CommandRun again = CommandRun.of("demo", "--dir", dir.toString(), "--port", "0");
            assertEquals(2, again.exit(), again.toString());
            assertEquals("rproxy demo: " + dir + ": holds a demo's files already (keys/origin.key); give --dir a"
                    + " folder of its own, or remove that one", again.err().strip());
            assertArrayEquals(keyBefore, Files.readAllBytes(key), "the running demo's key");
            assertArrayEquals(pubBefore, Files.readAllBytes(first.pub()), "the running demo's public key");
            CommandRun fetched = CommandRun.of("fetch", first.origin().baseUri() + "/directory", "--trust",
                    first.pub().toString());
            assertEquals(0, fetched.exit(), fetched.toString());
            assertTrue(fetched.out().contains("keyid=" + first.origin().keyId()), fetched.toString());
        }
    }

    @Test
    void theGuideNamesTheLauncherThatRanItOrRproxyWhenPathFindsIt() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("opt/rproxy/bin"));
        Path script = Files.writeString(bin.resolve("rproxy"), "#!/bin/sh\n");
        script.toFile().setExecutable(true);
        Path elsewhere = Files.createDirectories(dir.resolve("usr/bin"));
        assertEquals(script.toString(), DemoCommand.launcher(Map.of("RPROXY_LAUNCHER", script.toString(),
                "PATH", elsewhere.toString()), null), "not on PATH: the path, which works from any folder");
        Files.createSymbolicLink(elsewhere.resolve("rproxy"), script);
        assertEquals("rproxy", DemoCommand.launcher(Map.of("RPROXY_LAUNCHER", elsewhere.resolve("rproxy").toString(),
                "PATH", "/nonexistent:" + elsewhere), null), "installed on PATH (/usr/bin/rproxy -> ...)");
        assertEquals("rproxy", DemoCommand.launcher(Map.of("RPROXY_LAUNCHER", script.toString(),
                "PATH", elsewhere.toString()), null), "PATH finds this very launcher through a link");
        Path jar = Files.writeString(dir.resolve("rproxy.jar"), "");
        assertEquals("java -jar " + jar, DemoCommand.launcher(Map.of(), jar.toUri().toURL()));
    }

    @Test
    void aTakenPortIsReplacedAndTheGuideSaysWhereTheNodeWent() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             RunningDemo demo = RunningDemo.start(dir, taken.getLocalPort(), List.of(0, 0, 0))) {
            int port = demo.origin().address().getPort();
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            DemoCommand.printGuide(new PrintStream(printed, true, StandardCharsets.UTF_8), demo);
            List<String> moved = printed.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith("rproxy demo: ")).toList();
            assertEquals(List.of("rproxy demo: port " + taken.getLocalPort() + " on 127.0.0.1 is taken: the origin"
                    + " listens on 127.0.0.1:" + port + " instead"), moved, printed.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * A start that fails (here the origin refuses a broken sample map, as from a release archive's
     * edited {@code conf/maps}) removes what it wrote: it left its temporary folder behind, with
     * the private key in it; with {@code --dir}, the folders it made go too.
     */
    @Test
    void aFailedStartRemovesItsTemporaryFolderAndTheKeyInIt() throws Exception {
        Path home = brokenHome();
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process demo = demoProcess(home, tmp, "demo", "--port", "0");
        assertTrue(demo.waitFor(120, TimeUnit.SECONDS), "the demo stopped");
        String err = Files.readString(dir.resolve("demo.err"));
        assertEquals(2, demo.exitValue(), err);
        // The broken file is named where the operator can fix it: the copy is gone.
        assertTrue(err.matches("(?s)rproxy demo: cannot start the origin on 127\\.0\\.0\\.1:\\d+: "
                + java.util.regex.Pattern.quote(home.resolve("conf/maps/routingcost-map.json") + ": malformed JSON")
                + ".*"), err);
        assertEquals(List.of(tmp), contents(tmp), err);

        Path given = dir.resolve("given/work");
        demo = demoProcess(home, tmp, "demo", "--port", "0", "--dir", given.toString());
        assertTrue(demo.waitFor(120, TimeUnit.SECONDS), "the demo stopped");
        assertEquals(2, demo.exitValue(), Files.readString(dir.resolve("demo.err")));
        assertFalse(Files.exists(dir.resolve("given")), "the folders the demo made for --dir");
    }

    /**
     * Stopped (SIGTERM, as Ctrl-C), the demo removes its temporary folder's key and maps; a file
     * the operator saved there (the guide's signed bundle) stays, with the folder that holds it.
     */
    @Test
    void aStopRemovesTheKeyFromTheTemporaryFolderAndKeepsWhatTheOperatorSavedThere() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process demo = demoProcess(null, tmp, "demo", "--port", "0");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("Press Ctrl-C to stop."));
            assertEquals("Press Ctrl-C to stop.", line, () -> readQuietly(dir.resolve("demo.err")));
            // (the pull proxies' spools are made in the temporary folder too, and are theirs to remove)
            List<Path> folders = demoFolders(tmp);
            assertEquals(1, folders.size(), contents(tmp).toString());
            Path work = folders.get(0);
            assertTrue(Files.exists(work.resolve("keys/origin.key")));
            Files.writeString(work.resolve("directory.http"), "saved");
            demo.destroy();
            assertTrue(demo.waitFor(120, TimeUnit.SECONDS), "the demo stopped");
            assertEquals(List.of(work), demoFolders(tmp), readQuietly(dir.resolve("demo.err")));
            assertEquals(List.of(work, work.resolve("directory.http")), contents(work),
                    readQuietly(dir.resolve("demo.err")));
            assertTrue(readQuietly(dir.resolve("demo.err")).contains("rproxy demo: removed the demo's key and maps;"
                    + " kept " + work + " for the files written there since"), readQuietly(dir.resolve("demo.err")));
        } finally {
            demo.destroyForcibly();
        }
    }

    /** A port out of range is a usage error naming it, before anything is written (it was refused after the key). */
    @Test
    void aPortOutOfRangeIsRefusedBeforeAnythingIsWritten() {
        Path work = dir.resolve("work");
        CommandRun run = CommandRun.of("demo", "--port", "70000", "--dir", work.toString());
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Invalid value for option '--port': '70000' is not a port (expected 0 to"
                + " 65535)"), run.toString());
        assertFalse(Files.exists(work), run.toString());
    }

    /** A home whose {@code conf/maps} the demo copies, with one map broken (the origin refuses it). */
    private Path brokenHome() throws IOException {
        Path maps = Files.createDirectories(dir.resolve("home/conf/maps"));
        DemoCommand.copySampleMaps(maps);
        Files.writeString(maps.resolve("routingcost-map.json"), "{\"meta\":");
        return dir.resolve("home");
    }

    /** {@code rproxy args} in a JVM of its own whose temporary folder is {@code tmp}; stderr to demo.err. */
    private Process demoProcess(Path home, Path tmp, String... args) throws IOException {
        return DemoProcess.start(home, tmp, dir.resolve("demo.err"), args);
    }

    private static List<Path> demoFolders(Path tmp) throws IOException {
        return DemoProcess.demoFolders(tmp);
    }

    /** {@code folder} and everything under it, sorted. */
    private static List<Path> contents(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.sorted().toList();
        }
    }

    private static String readQuietly(Path file) {
        return DemoProcess.readQuietly(file);
    }
}
