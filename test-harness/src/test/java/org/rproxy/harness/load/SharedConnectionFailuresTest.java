package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.harness.report.RunReport;

/**
 * One failure on a shared connection does not fail every viewer on it: requests in flight when the
 * server closes a keep-alive connection, or behind a request that timed out, are sent again once
 * on a new connection (GETs, as an ordinary HTTP client does), and failed connects are counted
 * once per attempt. Before, every one of them failed its viewer.
 */
class SharedConnectionFailuresTest {

    @Test
    void requestsInFlightWhenTheServerClosesAKeepAliveConnectionAreSentAgain() throws Exception {
        // the server closes each connection after 5 answers; 4 requests in flight at most, so whatever is
        // sent again is among the first 5 of the next connection and is answered
        try (RawHttpServer server = new RawHttpServer(50, 5, true)) {
            RunReport r = new LoadRun(config(server.uri(), 100, 4, Duration.ofSeconds(20)), Progress.none(), null, Map.of())
                    .run("keep-alive limit");
            assertEquals(100, r.viewers().joined(), r.errors().toString());
            assertEquals(0, r.errorCount(), r.errors().toString());
            assertEquals(200, r.requests());
            assertTrue(r.sentAgain() > 0, "some requests were in flight at a close: " + r.sentAgain());
            assertEquals(Map.of("GET /directory", 100L, "GET /networkmap/net", 100L), server.counts(),
                    "the server answered each request once: those sent again were the ones it had not");
            assertTrue(server.accepted() >= 200 / 5, "the server closed every 5 answers: " + server.accepted());
        }
    }

    @Test
    void requestsInFlightBehindOneThatTimedOutAreSentAgain() throws Exception {
        // the first GET /directory is never answered; the others, pipelined behind it on the one connection, are
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(r -> {
            if (r.line().equals("GET /directory") && r.nth() == 1) {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return LoopbackServers.Scripted.DOCUMENTS.apply(r);
        })) {
            // the timeout only the unanswered request waits out: 1 s once timed out the three sent
            // again too, on a loaded machine, where they are answered at once on a quiet one
            RunReport r = new LoadRun(config(server.uri(), 4, 4, Duration.ofSeconds(5)), Progress.none(), null, Map.of())
                    .run("one request times out");
            assertEquals(Map.of("timeout @ json directory", 1L), r.errors(), "the request that timed out, and no other");
            assertEquals(3, r.viewers().joined());
            assertEquals(3, r.sentAgain(), "the three behind it");
        }
    }

    @Test
    void aRefusedConnectIsCountedOncePerAttemptAndTriedOnceMoreForTheRequestsWaiting() throws Exception {
        RunReport r;
        try (RefusedPort refused = RefusedPort.open()) {
            URI refusing = URI.create("http://127.0.0.1:" + refused.port());
            r = new LoadRun(config(refusing, 20, 1, Duration.ofSeconds(5)), Progress.none(), null, Map.of()).run("refused");
        }
        assertEquals(20, r.viewers().failed());
        assertEquals(r.connections(), r.connectFailures(), "every connect attempt failed, each counted once");
        assertEquals(20, r.sentAgain(), "each waiting request got a second connect, once");
        assertEquals(Map.of("connect failed: refused @ json directory", 20L), r.errors());
    }

    /** JSON documents-only viewers (GETs only) on one connection with {@code pipeline} in flight. */
    private static LoadConfig config(URI target, long viewers, int pipeline, Duration timeout) {
        return new LoadConfig(List.of(target), List.of(), viewers, ArrivalSchedule.flash(Duration.ofMillis(50)),
                VerifyMode.NONE, 1, pipeline, 1, null, Duration.ofSeconds(20), timeout, new Population.Mix(0, 0, 0, 0, 8),
                false, 1, LoopbackServers.addresses(), true);
    }
}
