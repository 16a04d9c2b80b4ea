package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;

/**
 * The harness's own start (event loops, connects) is in no latency: the run's clock starts once
 * the pool's connections are open. Before, it started ahead of the pool, so the first viewers'
 * latency held the whole set-up (2.4 s for the first of two viewers in the review).
 */
class HarnessSetUpTest {

    @Test
    void theFirstViewersLatencyDoesNotHoldThePoolsSetUp() throws Exception {
        // a first run warms up both ends (class loading, JIT), so the measured one's latency is the server's
        try (RawHttpServer warm = new RawHttpServer(50, 0, true)) {
            RunReport w = new LoadRun(config(warm), Progress.none(), null, Map.of()).run("warm-up");
            assertEquals(1, w.viewers().joined(), w.errors().toString());
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        // a server slow to accept: its listen queue (one) is full, so each of the pool's connects waits
        // for its SYN to be sent again (a second later), and the pool's set-up is at least that long
        try (RawHttpServer server = new RawHttpServer(1, 0, false); Socket fill1 = new Socket(); Socket fill2 = new Socket()) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", server.uri().getPort());
            fill1.connect(at, 5_000);
            fill2.connect(at, 5_000);
            timer.schedule(server::startAccepting, 200, TimeUnit.MILLISECONDS);
            RunReport r = new LoadRun(config(server), Progress.none(), null, Map.of()).run("slow connects");
            assertEquals(1, r.viewers().joined(), r.errors().toString());
            assertEquals(2, r.requestLatency().count());
            assertEquals(2, r.queued().count(), "each answered request's latency is also split into its two parts");
            assertEquals(2, r.server().count());
            double setUpMillis = r.setupSeconds() * 1000;
            assertTrue(r.joinLatency().max() < setUpMillis,
                    "the viewer's join latency " + r.joinLatency().max() + " ms holds none of the pool's " + setUpMillis
                            + " ms set-up");
            assertTrue(r.requestLatency().max() < setUpMillis, r.requestLatency().toString());
        } finally {
            timer.shutdownNow();
        }
    }

    /** One viewer, due at the run's start, reading the two documents. */
    private static LoadConfig config(RawHttpServer server) {
        return new LoadConfig(List.of(server.uri()), List.of(), 1, ArrivalSchedule.steady(1), VerifyMode.NONE, 4, 1, 1,
                null, Duration.ofSeconds(20), Duration.ofSeconds(20), new Population.Mix(0, 0, 0, 0, 8), false, 1,
                LoopbackServers.addresses(), true);
    }
}
