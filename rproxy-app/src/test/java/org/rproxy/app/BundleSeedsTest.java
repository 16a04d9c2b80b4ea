package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.pull.PullProxy;

/**
 * A pull proxy seeded from bundles serves them verified although it never reaches the origin (its
 * upstream is a closed port); bundles that fail verification, are malformed or gzip-coded are
 * skipped with the file and reason.
 */
class BundleSeedsTest {
    @TempDir
    Path dir;

    @Test
    void aProxyServesTheBundlesItWasHandedWithoutEverSeeingTheOrigin() throws Exception {
        Path seeds = Files.createDirectories(dir.resolve("seeds"));
        Path pub;
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            pub = origin.pub();
            for (String[] t : new String[][] {{"/networkmap/default-network-map", "a-nm.http"}, {"/prop/pid", "b-pid.http"}}) {
                assertEquals(0, CommandRun.of("fetch", origin.url(t[0]), "--trust", pub.toString(),
                        "-o", seeds.resolve(t[1]).toString()).exit());
            }
            assertEquals(0, CommandRun.of("fetch", origin.url("/directory"), "--trust", pub.toString(), "--gzip",
                    "-o", seeds.resolve("c-gzip.http").toString()).exit());
        }
        Files.writeString(seeds.resolve("d-junk.http"), "HTTP/1.1 200 OK\r\n\r\n");
        Files.writeString(seeds.resolve("notes.txt"), "not a bundle, not read");

        try (RefusedPort refused = RefusedPort.open()) {
            int closed = refused.port();
            ProxyConfig config = new ProxyConfig(ProxyConfig.Mode.PULL, "seeded",
                    new ListenConfig(new Address("127.0.0.1", 0), null),
                    UpstreamConfig.of(URI.create("http://127.0.0.1:" + closed), List.of(pub)), null, null, null);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (PullProxy proxy = PullProxy.start(config, Clock.systemUTC())) {
                int held = BundleSeeds.seed(proxy, seeds,
                        new PrintStream(log, true, StandardCharsets.UTF_8));
                String text = log.toString(StandardCharsets.UTF_8);
                assertEquals(2, held, text);
                assertTrue(text.contains("c-gzip.http: skipped: content-encoding: gzip"), text);
                assertTrue(text.contains("d-junk.http: skipped: not a signed bundle: line 2: no content-length"), text);
                assertTrue(text.contains("holding 2 of 4 bundles from " + seeds), text);

                CommandRun served = CommandRun.of("fetch", proxy.baseUri() + "/networkmap/default-network-map",
                        "--trust", pub.toString());
                assertEquals(0, served.exit(), served.toString());
                assertTrue(served.out().contains(" via=1.1 seeded"), served.toString());
                assertEquals(0, CommandRun.of("fetch", proxy.baseUri() + "/prop/pid", "--trust", pub.toString(), "--gzip")
                        .exit());
                CommandRun notHanded = CommandRun.of("fetch", proxy.baseUri() + "/costmap/routingcost-map",
                        "--trust", pub.toString());
                assertTrue(notHanded.exit() != 0 && notHanded.out().startsWith("REFUSED "), notHanded.toString());
            }
        }
    }

    @Test
    void bundlesSignedByAnotherKeyAreNotHeld() throws Exception {
        Path seeds = Files.createDirectories(dir.resolve("seeds"));
        Path other;
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            other = origin.otherPub();
            assertEquals(0, CommandRun.of("fetch", origin.url("/prop/pid"), "--trust", origin.pub().toString(),
                    "-o", seeds.resolve("pid.http").toString()).exit());
        }
        ProxyConfig config = new ProxyConfig(ProxyConfig.Mode.PULL, "seeded",
                new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create("http://127.0.0.1:9"), List.of(other)), null, null, null);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PullProxy proxy = PullProxy.start(config, Clock.systemUTC())) {
            assertEquals(0, BundleSeeds.seed(proxy, seeds,
                    new PrintStream(log, true, StandardCharsets.UTF_8)));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("pid.http: skipped: UNKNOWN_KEY: "), log.toString());
        }
    }

    @Test
    void aSeedFolderThatCannotBeUsedIsReportedByCheckAndRefusedByTheProxyInTheSameWords() throws IOException {
        Path file = Files.writeString(dir.resolve("x"), "");
        // A usable key: the trusted keys are read before anything else (as check reads them).
        Path key = SignedOrigin.anyKey(dir);
        Path config = Files.writeString(dir.resolve("p.yaml"), "listen: {address: '127.0.0.1:0'}\n"
                + "upstream:\n  url: http://127.0.0.1:9\n  trust: [" + key + "]\n");
        Path missing = dir.resolve("no-such-folder");
        Map<List<String>, String> refusals = Map.of(
                List.of("--seed-bundles", file.toString()), "--seed-bundles: " + file + ": not a folder",
                List.of("--seed-bundles", missing.toString()), "--seed-bundles: " + missing + ": no such folder",
                List.of("--mode", "push", "--seed-bundles", dir.toString()), "--seed-bundles: pull mode only");
        for (Map.Entry<List<String>, String> r : refusals.entrySet()) {
            List<String> check = new ArrayList<>(List.of("check", "--config", config.toString()));
            check.addAll(r.getKey());
            CommandRun run = CommandRun.of(check.toArray(new String[0]));
            assertEquals(1, run.exit(), run.toString());
            assertEquals(List.of(r.getValue(), "rproxy check: 1 problem"), run.out().lines().toList(), run.toString());

            List<String> proxy = new ArrayList<>(List.of("proxy", "--config", config.toString()));
            proxy.addAll(r.getKey());
            run = CommandRun.of(proxy.toArray(new String[0]));
            assertEquals(2, run.exit(), run.toString());
            assertEquals("rproxy proxy: " + r.getValue(), run.err().strip(), run.toString());
        }

        CommandRun fine = CommandRun.of("check", "--config", config.toString(), "--seed-bundles", dir.toString());
        assertEquals(0, fine.exit(), fine.toString());
    }
}
