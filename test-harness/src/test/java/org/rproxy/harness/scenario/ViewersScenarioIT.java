package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.util.ResourceLeakDetector;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.harness.HarnessMain;
import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * A short crowd (a few thousand viewers) against a real origin over loopback, through the
 * harness's counting relay: every viewer joins, everything signed verifies, the relay's count
 * equals the viewers' requests, returning viewers get 304s; a tampering upstream is caught by
 * every viewer; and, when this build has the pull proxy, the flash-crowd scenario passes in
 * miniature through one. The crowds are in the scenarios tier, not {@code mvn -B verify}
 * ({@code mvn -B -Pscenarios -pl test-harness -am verify}; test-harness's POM says why); the outage
 * case, the only proof that the outage verdict's counts add up, stays in {@code mvn -B verify}.
 */
class ViewersScenarioIT {
    @TempDir
    static Path dir;

    static Lab lab;
    static Path maps;
    static CountingRelay relay;
    static ScenarioContext ctx;
    static ByteArrayOutputStream printed = new ByteArrayOutputStream();
    static ResourceLeakDetector.Level leakLevel;

    @BeforeAll
    static void start() throws Exception {
        // Paranoid leak tracking records a stack trace per buffer, which turns a few thousand viewers
        // into minutes; sampled tracking still reports a leak here, and paranoid comes back afterwards.
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        lab = new Lab(dir.resolve("lab"), out, null);
        maps = lab.topology(TopologySpec.of(30, 4, 3));
        relay = lab.startOrigin(maps, Duration.ofHours(1), Duration.ofSeconds(60));
        ctx = new ScenarioContext(new ScenarioContext.Options(null, null, 8, 4, 1, 3, null, null, false, null, null, false), out,
                dir.resolve("reports"), lab);
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    @Tag("scenario")
    void aFewThousandViewersJoinVerifiedAndTheOriginCountMatchesTheirRequests() throws Exception {
        long before = relay.total();
        RunReport r = ctx.run("it-direct", ctx.crowd(List.of(relay.baseUri()), maps, 3_000,
                ArrivalSchedule.flash(Duration.ofSeconds(3))), relay);
        assertEquals(3_000, r.viewers().joined(), r.errors().toString());
        assertEquals(0, r.errorCount(), r.errors().toString());
        assertEquals(0, r.verification().failures());
        assertTrue(r.verification().signedChecked() >= 6_000, "two signed documents per viewer");
        assertTrue(r.verification().fullVerifications() < 20, "each representation verified once, not per response");
        assertTrue(r.notModified() > 0, "returning viewers were answered 304");
        assertEquals(r.requests(), relay.total() - before, "every viewer request reached the origin once");
        assertEquals(r.requests(), r.origin().requests());
        String html = Files.readString(dir.resolve("reports/it-direct/report.html"));
        assertTrue(html.contains("<svg") && !html.contains("<script"));
        assertTrue(Files.readString(dir.resolve("reports/it-direct/report.json")).contains("\"joinLatency\""));
    }

    @Test
    @Tag("scenario")
    void everyViewerCatchesAnUpstreamThatTampers() throws Exception {
        relay.mode(CountingRelay.Mode.TAMPER);
        try {
            RunReport r = ctx.run("it-tamper", ctx.crowd(List.of(relay.baseUri()), maps, 300,
                    ArrivalSchedule.flash(Duration.ofSeconds(1))).with(new Population.Mix(0, 0.5, 0, 0, 4)), relay);
            assertEquals(300, r.verification().failures());
            assertEquals(300L, r.verification().failuresByOutcome().get("DIGEST_MISMATCH"));
            assertEquals(0, r.viewers().joined());
        } finally {
            relay.mode(CountingRelay.Mode.PASS);
        }
    }

    @Test
    @Tag("scenario")
    void theViewersCommandExitsZeroAndWritesItsReport() {
        int code = HarnessMain.run("viewers", "--target", relay.baseUri(), "--trust", lab.pub().toString(),
                "--viewers", "500", "--arrival", "steady:1000", "--maps", maps.toString(), "--connections", "4",
                "--report", dir.resolve("cli").toString());
        assertEquals(0, code);
        assertTrue(Files.exists(dir.resolve("cli/report.html")));
        assertEquals(1, HarnessMain.run("viewers", "--target", relay.baseUri(), "--trust", lab.pub().toString(),
                "--viewers", "20", "--arrival", "steady:1000", "--maps", maps.toString(), "--connections", "2",
                "--xml", "1", "--server-pid", "1", "--server-rank", "0", "--timeout", "5s", "--drain", "10s",
                "--seed", "4", "--peers", "1", "--target", "http://127.0.0.1:9/"),
                "a target that refuses connections makes the run fail");
    }

    /**
     * The outage verdict's origin requests before, during and after the outage add up to the run's
     * own count; before, "before" counted from the lab's start, the proxy's warm-up included.
     */
    @Test
    void theOutagesOriginRequestsAddUpToTheRunsCount() throws Exception {
        assumeTrue(lab.pullAvailable(), "the pull proxy is not in this build");
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Path reports = dir.resolve("outage-reports");
        try (Lab outageLab = new Lab(dir.resolve("outage-lab"), out, null)) {
            ScenarioContext c = new ScenarioContext(new ScenarioContext.Options(300L, Duration.ofSeconds(3), 4, 1, 1, 3,
                    null, null, false, null, null, false), out, reports, outageLab);
            List<Check> checks = new Outage().run(c);
            String line = checks.stream().filter(k -> k.name().startsWith("origin requests during the run")).findFirst()
                    .orElseThrow().measured();
            long sum = 0;
            for (String n : line.split(" / ")) {
                sum += Long.parseLong(n.replace(",", ""));
            }
            JsonNode report = new ObjectMapper().readTree(reports.resolve("outage/report.json").toFile());
            assertEquals(report.path("origin").path("requests").asLong(), sum, line);
            assertTrue(checks.stream().anyMatch(k -> k.name().equals("viewers unfinished at the deadline")), checks.toString());
        }
    }

    @Test
    @Tag("scenario")
    void theFlashCrowdScenarioPassesInMiniatureThroughAPullProxy() {
        assumeTrue(lab.pullAvailable(), "the pull proxy is not in this build");
        int code = HarnessMain.run("scenario", "flash-crowd", "--viewers", "3000", "--window", "3s", "--connections", "8",
                "--report", dir.resolve("fc").toString());
        assertEquals(0, code);
        assertFalse(ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive), "every proxy was stopped");
    }
}
