package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;

/**
 * The progress line's request rate and latencies describe the same responses. A viewer records
 * a response's latency and then counts it; a sample taken between the two, which a busy machine
 * makes likely at a low rate, once printed "0 req/s" beside that response's p99, and the next
 * second a rate with no latency.
 */
class SamplerTest {

    @Test
    void aResponseSampledBetweenItsLatencyAndItsCountIsCountedWithItsLatency() throws Exception {
        Stats stats = new Stats();
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        Sampler sampler = new Sampler(stats, System.nanoTime(), 10,
                Progress.lines(new PrintStream(lines, true, StandardCharsets.UTF_8)));

        // a viewer's onResponse, sampled after its latency is recorded and before it is counted
        Stats.record(stats.requestLatency, 5_000);
        sampler.stop();
        stats.requests.increment();
        sampler.stop();

        List<RunReport.Sample> series = sampler.series();
        assertEquals(2, series.size(), lines.toString(StandardCharsets.UTF_8));
        for (RunReport.Sample s : series) {
            assertEquals(s.requestsPerSecond() > 0, s.p99() > 0,
                    "rate and p99 of one second disagree: " + s + "\nprogress:\n" + lines.toString(StandardCharsets.UTF_8));
        }
        assertTrue(series.get(0).p99() >= 4.9, series.get(0).toString());
        assertTrue(lines.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow().endsWith("p99 5.0 ms"),
                lines.toString(StandardCharsets.UTF_8));
    }
}
