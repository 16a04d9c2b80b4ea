package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProtocolException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.MutableClock;

/**
 * A source that failed verification cools down for a while; others are only demoted; latency is
 * averaged; every source's state can be listed and printed at once.
 */
class SourceHealthTest {
    private static final URI A = URI.create("http://127.0.0.2:8080/");
    private static final URI B = URI.create("http://127.0.0.3:8080/");
    private static final URI C = URI.create("http://127.0.0.4:8080/");

    private final MutableClock clock = MutableClock.now();
    private final SourceHealth health = new SourceHealth(clock, Duration.ofMinutes(5));
    private final SourcePolicy policy = SourcePolicy.costRanked();

    private List<URI> order() {
        return policy.order(List.of(A, B, C), new SourcePolicy.Context(null, null, health));
    }

    @TempDir
    Path dir;

    @Test
    void everySourcesStateIsListedInOrderAndPrintedOneALine() {
        health.list(List.of(A, B), C);
        health.failed(A, new ClientException.InvalidResponse(A, "tampered"));
        health.succeeded(B, Duration.ofMillis(12));
        List<SourceStatus> all = health.sources();
        assertEquals(List.of(A, B, C), all.stream().map(SourceStatus::source).toList());
        SourceStatus a = all.get(0);
        assertTrue(a.coolingDown());
        assertEquals(clock.instant().plus(Duration.ofMinutes(5)), a.coolingUntil());
        assertEquals(1, a.recentFailures());
        assertEquals("invalid response: tampered", a.lastFailure());
        assertEquals(12.0, all.get(1).latencyMillis().orElseThrow(), 1e-9);
        assertFalse(all.get(1).coolingDown());
        assertTrue(all.get(2).origin() && all.get(2).latencyMillis().isEmpty(), "the origin, never asked yet");
        String printed = health.toString();
        assertTrue(printed.contains(A + ": cooling down until " + a.coolingUntil() + ", 1 recent failure, no success yet,"
                + " last failure: invalid response: tampered"), printed);
        assertTrue(printed.contains(B + ": askable, 0 recent failures, latency 12.0 ms"), printed);
        assertTrue(printed.contains(C + " (origin): askable"), printed);
        UpdateCounts counts = new UpdateCounts();
        counts.checkedOne();
        counts.repeatedOne();
        counts.repeatedOne();
        assertEquals("checked 1, repeated 2", counts.toString());
    }

    @Test
    void aClientListsItsProxiesAndTheOriginWithWhatItSawOfThem() throws Exception {
        String dead = "http://127.0.0.2:1"; // nothing listens on port 1
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of(dead));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())))) {
            c.fetch(LocalOrigin.NETWORK_MAP);
            List<SourceStatus> all = c.health().sources();
            assertEquals(List.of(URI.create(dead), origin.uri()), all.stream().map(SourceStatus::source).toList());
            assertEquals(1, all.get(0).recentFailures());
            assertEquals("unreachable: connection refused", all.get(0).lastFailure());
            assertTrue(all.get(1).origin() && all.get(1).latencyMillis().isPresent(), all.toString());
        }
    }

    @Test
    void aSourceThatFailedVerificationIsLeftOutUntilItsCoolDownHasPassed() {
        health.failed(A, new ClientException.InvalidResponse(A, "tampered"));
        assertTrue(health.coolingDown(A));
        assertEquals(List.of(B, C), order());
        clock.advance(Duration.ofMinutes(4));
        assertEquals(List.of(B, C), order());
        clock.advance(Duration.ofMinutes(1));
        assertFalse(health.coolingDown(A));
        assertEquals(List.of(B, C, A), order(), "tried again, after the healthy ones");
        health.succeeded(A, Duration.ofMillis(1));
        assertEquals(0, health.recentFailures(A));
    }

    @Test
    void aSourceThatOfferedARollbackCoolsDownForAMinuteOrTheCoolDownIfShorter() {
        health.failed(A, new ClientException.Rollback(A, clock.instant(), clock.instant().minusSeconds(60)));
        assertTrue(health.coolingDown(A));
        assertEquals(List.of(B, C), order());
        clock.advance(Duration.ofSeconds(59));
        assertTrue(health.coolingDown(A));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(health.coolingDown(A));
        assertEquals(List.of(B, C, A), order(), "tried again, after the healthy ones");

        SourceHealth quick = new SourceHealth(clock, Duration.ofSeconds(20));
        quick.failed(B, new ClientException.Rollback(B, clock.instant(), clock.instant().minusSeconds(60)));
        assertTrue(quick.coolingDown(B));
        clock.advance(Duration.ofSeconds(20));
        assertFalse(quick.coolingDown(B));
    }

    @Test
    void anUnreachableSourceIsDemotedNotDropped() {
        health.failed(A, new ClientException.Unreachable(A, "connection refused", null));
        assertFalse(health.coolingDown(A));
        assertEquals(List.of(B, C, A), order());
    }

    @Test
    void aFailureIsRecentForThirtySecondsThenTheSourceIsBackInItsPlace() {
        health.failed(A, new ClientException.Refused(A, 503, null, null));
        assertEquals(List.of(B, C, A), order());
        clock.advance(Duration.ofSeconds(29));
        assertEquals(List.of(B, C, A), order());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, health.recentFailures(A));
        assertEquals(List.of(A, B, C), order(), "a failure 30 s old is no longer recent");
    }

    @Test
    void aSourceThatKeepsFailingStaysDemotedTwiceAsLongEachTimeUpToTenMinutes() {
        long[] windows = {30, 60, 120, 240, 480, 600, 600};
        for (int i = 0; i < windows.length; i++) {
            health.failed(A, new ClientException.Unreachable(A, "connection refused", null));
            assertEquals(i + 1, health.recentFailures(A));
            clock.advance(Duration.ofSeconds(windows[i] - 1));
            assertEquals(List.of(B, C, A), order(), "failure " + (i + 1) + " after " + (windows[i] - 1) + " s");
            clock.advance(Duration.ofSeconds(1));
            assertEquals(List.of(A, B, C), order(), "failure " + (i + 1) + " after " + windows[i] + " s");
        }
        // a success ends the run: the next failure counts for 30 s again
        health.succeeded(A, Duration.ofMillis(1));
        health.failed(A, new ClientException.Unreachable(A, "connection refused", null));
        assertEquals(1, health.recentFailures(A));
        clock.advance(Duration.ofSeconds(29));
        assertEquals(1, health.recentFailures(A));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, health.recentFailures(A));
    }

    @Test
    void aSuccessWithoutASampleEndsTheFailureRunAndLeavesTheLatencyAsItWas() {
        health.succeeded(A); // no sample yet: none made up
        assertTrue(health.latencyMillis(A).isEmpty());
        health.succeeded(A, Duration.ofMillis(40));
        health.failed(A, new ClientException.Unreachable(A, "refused", null));
        assertEquals(1, health.recentFailures(A));
        health.succeeded(A);
        assertEquals(0, health.recentFailures(A));
        assertEquals(40.0, health.latencyMillis(A).orElseThrow(), 1e-9);
    }

    @Test
    void fasterSourcesComeFirstByTheirMovingAverage() {
        health.succeeded(A, Duration.ofMillis(90));
        health.succeeded(B, Duration.ofMillis(10));
        health.succeeded(C, Duration.ofMillis(50));
        assertEquals(List.of(B, C, A), order());
        health.succeeded(A, Duration.ofMillis(1));
        // 0.3 * 1 + 0.7 * 90 = 63.3: still slower than C.
        assertEquals(63.3, health.latencyMillis(A).orElseThrow(), 1e-9);
        assertEquals(List.of(B, C, A), order());
    }

    @Test
    void aSourceAnsweringNotHttpInARowCoolsDownLongerEachTimeUpToAnHour() {
        // each such answer leaves the JDK a socket it keeps: asked once per 5 min, 288 a day
        List<Duration> cooled = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            health.failed(A, notHttp(A));
            cooled.add(Duration.between(clock.instant(), health.sources().get(0).coolingUntil()));
            clock.advance(cooled.get(i));
        }
        assertEquals(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(40),
                Duration.ofMinutes(60), Duration.ofMinutes(60), Duration.ofMinutes(60)), cooled);
        // a response that failed verification is no reason to wait longer: the cool-down as it is
        health.failed(B, notHttp(B));
        clock.advance(Duration.ofMinutes(5));
        health.failed(B, new ClientException.InvalidResponse(B, "tampered"));
        assertEquals(clock.instant().plus(Duration.ofMinutes(5)), health.sources().get(1).coolingUntil());
        // a success ends the run: the next such answer cools down for the cool-down again
        clock.advance(Duration.ofMinutes(60));
        health.succeeded(A, Duration.ofMillis(3));
        health.failed(A, notHttp(A));
        assertEquals(clock.instant().plus(Duration.ofMinutes(5)), health.sources().get(0).coolingUntil());
        // a cool-down set longer than an hour is never shortened
        SourceHealth patient = new SourceHealth(clock, Duration.ofHours(2));
        patient.failed(C, notHttp(C));
        assertEquals(clock.instant().plus(Duration.ofHours(2)), patient.sources().get(0).coolingUntil());
    }

    /** What the fetcher makes of an SSH banner: the JDK's refusal as the cause. */
    private static ClientException notHttp(URI source) {
        return new ClientException.InvalidResponse(source, "not a valid HTTP response: Invalid status line",
                new ProtocolException("Invalid status line"));
    }
}
