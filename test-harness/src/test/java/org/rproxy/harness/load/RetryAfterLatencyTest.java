package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;

/**
 * The back-off a 503's Retry-After asks for is in the join latency, not in any request's latency:
 * the attempt after it is due when the back-off ends. Before, it was measured from the 503's
 * answer, so every retried request took at least the back-off.
 */
class RetryAfterLatencyTest {
    private static final int VIEWERS = 10;
    private static final int RETRY_AFTER_SECONDS = 3;

    @Test
    void theRetryAfterWaitIsNotRequestLatencyButIsJoinLatency() throws Exception {
        AtomicInteger toShed = new AtomicInteger();
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(r ->
                r.line().equals("GET /directory") && toShed.getAndDecrement() > 0
                        ? new LoopbackServers.Scripted.Answer(503, Map.of("Retry-After", "" + RETRY_AFTER_SECONDS), "")
                        : LoopbackServers.Scripted.DOCUMENTS.apply(r))) {
            LoadConfig config = LoopbackServers.config(server.uri(), VIEWERS, Duration.ofMillis(100), Duration.ofSeconds(15),
                    Duration.ofSeconds(15), new Population.Mix(0, 0, 0, 0, 8), true);
            // a first crowd warms up both ends (class loading, JIT), so the measured one's latency is the server's
            RunReport warm = new LoadRun(config, Progress.none(), null, Map.of()).run("warm-up");
            assertEquals(VIEWERS, warm.viewers().joined(), warm.errors().toString());

            toShed.set(VIEWERS); // each viewer's first GET /directory is shed with 503, Retry-After: 3
            RunReport r = new LoadRun(config, Progress.none(), null, Map.of()).run("busy server");
            assertEquals(VIEWERS, r.viewers().joined(), r.errors().toString());
            assertEquals(Map.of("json directory", (long) VIEWERS), r.retriesByStep(), "the 503s asked again, in their own table");
            assertEquals(r.requests(), r.requestsByStep().values().stream().mapToLong(Long::longValue).sum(),
                    "the responses by step add up to the responses: " + r.requestsByStep());
            assertEquals(3L * VIEWERS, r.requestLatency().count());
            assertTrue(r.requestLatency().max() < RETRY_AFTER_SECONDS * 1000,
                    "no request's latency holds the back-off: " + r.requestLatency());
            assertTrue(r.joinLatency().p50() >= RETRY_AFTER_SECONDS * 1000 - 10, "every join does: " + r.joinLatency());
        }
    }
}
