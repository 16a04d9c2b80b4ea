package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.report.SummaryTable;

/**
 * Requests that get no answer have no latency; the summary says how many the request-latency
 * percentiles leave out, so that a run where requests time out is not read as fast.
 */
class UnansweredRequestsTest {

    @Test
    void timedOutRequestsAreCountedBesideThePercentiles() throws Exception {
        // the first five GET /directory are never answered (the 1 s timeout fails them); the rest are
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(r -> {
            if (r.line().equals("GET /directory") && r.nth() <= 5) {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return LoopbackServers.Scripted.DOCUMENTS.apply(r);
        })) {
            LoadConfig config = LoopbackServers.config(server.uri(), 10, Duration.ofMillis(100), Duration.ofSeconds(20),
                    Duration.ofSeconds(1), new Population.Mix(0, 0, 0, 0, 8), true);
            RunReport r = new LoadRun(config, Progress.none(), null, Map.of()).run("some requests time out");
            assertEquals(5, r.viewers().joined(), r.errors().toString());
            assertEquals(5, r.viewers().failed(), r.errors().toString());
            assertEquals(Map.of("timeout @ json directory", 5L), r.errors());
            assertEquals(10, r.requestLatency().count(), "the answered requests only");
            String summary = SummaryTable.render(r);
            assertTrue(summary.contains("not in the percentiles   5 requests failed without an answer (timeout, "
                    + "connection closed, connect failed), 0 still waiting at the deadline"), summary);
        }
    }

    @Test
    void requestsStillWaitingAtTheDeadlineAreCountedBesideThePercentiles() throws Exception {
        try (LoopbackServers.Silent server = new LoopbackServers.Silent()) {
            LoadConfig config = LoopbackServers.config(server.uri(), 8, Duration.ofMillis(100), Duration.ofSeconds(1),
                    Duration.ofSeconds(30), Population.Mix.defaults(), false);
            RunReport r = new LoadRun(config, Progress.none(), null, Map.of()).run("silent server");
            assertEquals(0, r.requestLatency().count());
            String summary = SummaryTable.render(r);
            assertTrue(summary.contains("0 requests failed without an answer (timeout, connection closed, connect failed), "
                    + "8 still waiting at the deadline"), summary);
        }
    }
}
