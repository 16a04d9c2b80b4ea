package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.harness.HarnessMain;

import picocli.CommandLine;

/** {@code harness viewers}: the report holds every option; a run that did not carry its crowd fails; errors name options. */
class ViewersCommandTest {
    @TempDir
    Path dir;

    @Test
    void aRunWhereFewerViewersArrivedThanPlannedExitsOneAndTheReportHoldsEveryOption() throws Exception {
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(LoopbackServers.Scripted.DOCUMENTS)) {
            // steady:10 has its first arrival at 0 and the next at 100 ms: --duration 1ms lets one of 1,000 in
            int code = HarnessMain.run("viewers", "--target", server.uri().toString(), "--verify", "none",
                    "--viewers", "1000", "--arrival", "steady:10", "--duration", "1ms", "--documents-only",
                    "--connections", "2", "--io-threads", "2", "--drain", "7s", "--timeout", "9s", "--report", dir.toString());
            assertEquals(1, code, "one viewer of 1,000 planned arrived, with no error: the run did not carry its load");
            JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
            assertEquals(1, report.path("viewers").path("started").asLong());
            assertEquals(0, report.path("errorCount").asLong());
            JsonNode settings = report.path("settings");
            for (String option : List.of("targets", "trust", "viewers", "arrival", "duration", "drain", "timeout", "verify",
                    "connections per target", "pipeline", "io-threads", "mix", "documents only", "gzip", "seed",
                    "addresses from", "origin metrics", "report")) {
                assertTrue(settings.has(option), option + " in " + settings);
            }
            assertEquals("7s", settings.path("drain").asText()); // as written, not Java's PT7S
            assertEquals("9s", settings.path("timeout").asText());
            assertEquals("2", settings.path("io-threads").asText());
            assertEquals("1ms", settings.path("duration").asText());
            assertTrue(Files.readString(dir.resolve("report.html")).contains("only 1 of 1,000 planned viewers arrived"));
        }
    }

    @Test
    void aRunWhereEveryViewerArrivedAndJoinedExitsZero() throws Exception {
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(LoopbackServers.Scripted.DOCUMENTS)) {
            assertEquals(0, HarnessMain.run("viewers", "--target", server.uri().toString(), "--verify", "none",
                    "--viewers", "3", "--arrival", "steady:100", "--documents-only", "--connections", "2"));
        }
    }

    /** Each bad TLS option is refused before any connection, naming the option and the reason (exit 2). */
    @Test
    void badTlsOptionsAreRefusedNamingTheOptionAndWhy() throws Exception {
        Path cert = TestCertificates.make(dir, "ca").cert();
        Path notPem = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        Path missing = dir.resolve("missing.pem");
        String https = "https://127.0.0.1:1";
        assertRefused("--ca " + missing + ": no such file", "--target", https, "--ca", missing.toString());
        assertRefused("--ca " + notPem + ": ", "--target", https, "--ca", notPem.toString());
        assertRefused("--ca " + cert + ": no https URL to use it for", "--target", "http://127.0.0.1:1",
                "--ca", cert.toString());
        // only the origin's metrics https: --ca is for them, and the run goes on to read them (nothing listens)
        Files.writeString(dir.resolve("net.json"), LoopbackServers.NETWORK_MAP);
        assertRefused("--origin-metrics https://127.0.0.1:1/metrics: cannot read it (", "--target", "http://127.0.0.1:1",
                "--ca", cert.toString(), "--origin-metrics", "https://127.0.0.1:1/metrics");
        assertRefused("--target: ftp://127.0.0.1:1 (expected: http://HOST[:PORT][/PATH] or https://HOST[:PORT][/PATH])",
                "--target", "ftp://127.0.0.1:1");
    }

    /**
     * Without {@code --maps} the viewers' addresses come from the first target's network map; a
     * target that refuses the connection is named with why. The JDK's exception for it has no
     * message, and the run said {@code harness viewers: null}.
     */
    @Test
    void aTargetThatCannotBeReadForTheAddressesIsNamedWithWhy() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            String target = "http://127.0.0.1:" + refused.port();
            StringWriter err = new StringWriter();
            CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                    .setErr(new PrintWriter(err, true));
            assertEquals(2, cl.execute("viewers", "--verify", "none", "--viewers", "1", "--target", target), err.toString());
            assertTrue(err.toString().startsWith("harness viewers: " + target + "/directory: connection refused (reading"
                    + " the network map the viewers' addresses are drawn from; --maps reads a folder instead)"), err.toString());
        }
    }

    private void assertRefused(String message, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of("viewers", "--verify", "none", "--viewers", "1",
                "--maps", dir.toString()));
        all.addAll(List.of(args));
        assertEquals(2, cl.execute(all.toArray(String[]::new)), err.toString());
        assertTrue(err.toString().startsWith("harness viewers: " + message), err.toString());
    }

    @Test
    void refusalsNameTheOptionNotTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Population.Mix(0, 0, 2.0, 0, 8));
        assertTrue(e.getMessage().startsWith("--server-pid: 2.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LoadConfig(List.of(java.net.URI.create("http://127.0.0.1:1")),
                List.of(), 1, ArrivalSchedule.steady(1), VerifyMode.NONE, 1, 1, 0, null, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Population.Mix.defaults(), false, 1, LoopbackServers.addresses(), false));
        assertTrue(e.getMessage().startsWith("--io-threads: 0"), e.getMessage());
    }
}
