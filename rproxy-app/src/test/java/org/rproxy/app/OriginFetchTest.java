package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/** {@code rproxy fetch --origin}: a clear line and exit code when discovery cannot even start. */
class OriginFetchTest {

    /** A well-formed key id (43 base64url characters); no origin here has it. */
    private static final String KEY_ID = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    @Test
    void anUnreachableOriginIsNamedWithItsReason() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            String origin = "http://127.0.0.1:" + port;
            CommandRun run = CommandRun.of("fetch", "--origin", origin, "--keyid", KEY_ID, "/directory", "--timeout", "2s");
            assertEquals(FetchOutcome.UNREACHABLE.exitCode(), run.exit(), run.toString());
            assertTrue(run.out().startsWith("UNREACHABLE /directory: ") && run.out().contains(origin), run.toString());
        }
    }

    @Test
    void discoveryTakesOneKeyAndFetchesOnly() {
        assertEquals(2, CommandRun.of("fetch", "--origin", "http://127.0.0.1:1", "/directory").exit());
        assertEquals(2, CommandRun.of("fetch", "--origin", "http://127.0.0.1:1", "--keyid", "x1", "-o", "b.http",
                "/directory").exit());
        assertEquals(2, CommandRun.of("fetch", "--keyid", "x1", "http://127.0.0.1:1/directory").exit());
    }

    /** The client asks the origin at its root: a path given with it was dropped unsaid, and the root asked instead. */
    @Test
    void anOriginWithAPathIsAUsageErrorSayingSo() {
        CommandRun run = CommandRun.of("fetch", "--origin", "http://127.0.0.1:1/alto", "--keyid", KEY_ID, "/directory");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().contains("origin: http://127.0.0.1:1/alto has a path, query or fragment"), run.toString());
    }

    @Test
    void aKeyIdBeginningWithADashIsTakenAsTheKeyId() {
        // a key id is base64url: one in 64 begins with '-', and "-oa2Q..." read as -o a2Q... before
        String id = "-oa2QpXv" + "A".repeat(35); // 43 base64url characters, as a thumbprint
        for (String[] keyId : new String[][] {{"--keyid=" + id}, {"--keyid", id}}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("fetch", "--origin",
                    "http://127.0.0.1:1"));
            args.addAll(java.util.List.of(keyId));
            args.addAll(java.util.List.of("/directory", "--timeout", "2s"));
            CommandRun run = CommandRun.of(args.toArray(String[]::new));
            assertTrue(run.exit() != 2, "not a usage error: " + run);
            assertTrue(run.out().contains("127.0.0.1:1"), run.toString());
        }
    }

    @Test
    void withAClientAddressTheCheapestProxyIsAskedFirstElseTheDirectorysOrder(@TempDir Path dir) throws Exception {
        // two proxies on loopback addresses of their own (both refuse: nothing listens there), in
        // PIDs the origin's maps say cost 5 and 0 from the client's PID1, listed dear one first
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("default-network-map.json"), "{\"network-map\":{"
                + "\"PID1\":{\"ipv4\":[\"127.0.0.2/32\",\"10.1.0.0/16\"]},\"PID2\":{\"ipv4\":[\"127.0.0.3/32\"]},"
                + "\"PID3\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
        Files.writeString(maps.resolve("routingcost-map.json"), "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":"
                + "\"default-network-map\"}],\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID1\":0,\"PID2\":5,\"PID3\":10},\"PID2\":{\"PID1\":5,\"PID2\":0,"
                + "\"PID3\":10},\"PID3\":{\"PID1\":10,\"PID2\":10,\"PID3\":0}}}");
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of("http://127.0.0.3:1/", "http://127.0.0.2:1/"),
                "fetch-test", null), Clock.systemUTC())) {
            CommandRun ranked = CommandRun.of("fetch", "--origin", origin.baseUri(), "--trust", pub.toString(),
                    "--client-address", "10.1.2.3", "/networkmap/default-network-map", "--timeout", "3s");
            assertEquals(0, ranked.exit(), ranked.toString());
            List<String> refused = ranked.out().lines().filter(l -> l.startsWith("  refused first:")).toList();
            assertEquals(2, refused.size(), ranked.toString());
            assertTrue(refused.get(0).contains("127.0.0.2:1") && refused.get(1).contains("127.0.0.3:1"),
                    "the one in the client's PID first: " + ranked);

            CommandRun listed = CommandRun.of("fetch", "--origin", origin.baseUri(), "--trust", pub.toString(),
                    "/networkmap/default-network-map", "--timeout", "3s");
            List<String> inOrder = listed.out().lines().filter(l -> l.startsWith("  refused first:")).toList();
            assertTrue(inOrder.get(0).contains("127.0.0.3:1") && inOrder.get(1).contains("127.0.0.2:1"),
                    "without an address, the directory's order: " + listed);

            CommandRun bad = CommandRun.of("fetch", "--origin", origin.baseUri(), "--trust", pub.toString(),
                    "--client-address", "not-an-address", "/directory");
            assertEquals(2, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("--client-address"), bad.toString());
        }
    }
    @Test
    void copiesValidOnlyAtAnotherTimeSayTheClockLooksWrongWithAnExitCodeOfTheirOwn(@TempDir Path dir) throws Exception {
        // an origin signing two hours ahead of this machine's clock: every copy, its directory's
        // first, was created further ahead of the clock than allowed
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("default-network-map.json"),
                "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.1.0.0/16\"]},\"PID2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "fetch-clock-test", null),
                Clock.offset(Clock.systemUTC(), Duration.ofHours(2)))) {
            CommandRun run = CommandRun.of("fetch", "--origin", origin.baseUri(), "--trust", pub.toString(),
                    "/networkmap/default-network-map", "--timeout", "3s");
            assertEquals(7, run.exit(), run.toString());
            assertEquals(FetchOutcome.CLOCK.exitCode(), run.exit());
            assertTrue(run.out().startsWith("CLOCK /networkmap/default-network-map: " + origin.baseUri()), run.toString());
            assertTrue(run.out().contains("this client's clock looks wrong") && run.out().contains("looks behind"),
                    run.toString());
        }
        CommandRun help = CommandRun.of("fetch", "--help");
        assertTrue(help.out().contains("7:CLOCK") || help.out().matches("(?s).*\\b7\\s+CLOCK.*"), help.toString());
    }
}
