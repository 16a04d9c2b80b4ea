package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rproxy demo}: an origin, two pull proxies and a push proxy, the proxies listed in the
 * origin's signed directory and capability; every {@code bin/rproxy} line it prints works as
 * printed; closing it frees every port.
 */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void startsFourNodesListsTheProxiesAndEveryPrintedCommandWorks() throws Exception {
        List<Integer> ports = new ArrayList<>();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (RunningDemo demo = RunningDemo.start(dir, 0)) {
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
            for (String line : text.lines().map(String::strip).filter(l -> l.startsWith("bin/rproxy ")).toList()) {
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
            assertTrue(text.contains("bin/rproxy fetch --origin " + demo.origin().baseUri() + " --keyid "
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
}
