package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;

/** Viewers still waiting at the deadline are unfinished, not failed: closing the pool does not fail them. */
class LoadRunDeadlineTest {

    @Test
    void viewersWaitingAtTheDeadlineAreUnfinishedNotFailed() throws Exception {
        try (LoopbackServers.Silent server = new LoopbackServers.Silent()) {
            LoadConfig config = LoopbackServers.config(server.uri(), 20, Duration.ofMillis(200), Duration.ofSeconds(1),
                    Duration.ofSeconds(30), Population.Mix.defaults(), false);
            RunReport r = new LoadRun(config, Progress.none(), null, Map.of()).run("silent server");
            assertEquals(20, r.viewers().started());
            assertEquals(20, r.viewers().unfinished(), r.errors().toString());
            assertEquals(0, r.viewers().failed(), r.errors().toString());
            assertEquals(0, r.viewers().joined());
            assertEquals(Map.of("unfinished at the deadline", 20L), r.errors(),
                    "no 'connection closed' or 'harness stopped' from closing the pool");
            assertEquals(20, r.errorCount());
            assertEquals(0, r.requests());
        }
    }
}
