package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;

/**
 * A re-signing that fails is tried again within seconds, not at the next half validity: by then
 * every document signed before has expired, and a tree of proxies serves nothing.
 */
class ResigningRetryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private OriginConfig config(Duration validity) throws IOException {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        for (String f : List.of("default-network-map.json", "routingcost-map.json")) {
            Files.copy(Path.of("../conf/maps").resolve(f), maps.resolve(f));
        }
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        return new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, validity,
                validity.dividedBy(2), List.of(), "resign-test", null);
    }

    @Test
    void aFailedReSigningIsRetriedWithinSecondsNotAtTheNextHalfValidity() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        FailingPublisherClock clock = new FailingPublisherClock();
        // validity 10 s: re-signed every 5 s; the first two attempts from the next one on fail
        try (CapturedLogs logs = CapturedLogs.of(Origin.class);
             Origin origin = Origin.start(config(Duration.ofSeconds(10)), clock)) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(origin.baseUri() + "/networkmap/default-network-map")).build();
            String first = http.send(get, HttpResponse.BodyHandlers.discarding()).headers().firstValue("etag").orElseThrow();
            clock.fail(2);
            assertTrue(clock.first.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "no re-signing within " + DEADLINE);
            logs.awaitMessage("re-signing failed", DEADLINE);
            // signed at most 5 s before the failure: they expire within 5 s of it
            long end = clock.firstFailedAt + TimeUnit.MILLISECONDS.toNanos(4_500);
            String now = first;
            while (now.equals(first)) {
                assertTrue(System.nanoTime() < end, "not re-signed within 4.5 s of a failed re-signing (ETag still "
                        + first + "): the documents signed before expire meanwhile");
                Thread.sleep(100);
                now = http.send(get, HttpResponse.BodyHandlers.discarding()).headers().firstValue("etag").orElseThrow();
            }
        }
    }

    /** Records what is scheduled on it; the test runs each task itself, so no time passes. */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        private final Deque<Long> delays = new ArrayDeque<>();
        private final Deque<Runnable> tasks = new ArrayDeque<>();

        RecordingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(unit.toSeconds(delay));
            tasks.add(command);
            return null;
        }

        /** Runs the task scheduled last; returns the delay it was scheduled with, in seconds. */
        long runNext() {
            assertEquals(1, tasks.size(), "one task scheduled at a time");
            tasks.poll().run();
            return delays.poll();
        }
    }

    @Test
    void failedTriesBackOffFromOneSecondByDoublingToATenthOfTheValidityAndOneLineIsLoggedPerChangeOfState() {
        RecordingScheduler scheduler = new RecordingScheduler();
        AtomicInteger failuresLeft = new AtomicInteger();
        AtomicInteger signings = new AtomicInteger();
        Runnable resign = () -> {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("simulated: the signer failed");
            }
            signings.incrementAndGet();
        };
        Instant expiry = Instant.parse("2030-01-01T00:00:00Z");
        Logger logger = (Logger) LoggerFactory.getLogger(Origin.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.DEBUG); // the tests' configuration logs warnings only
        try (CapturedLogs logs = CapturedLogs.of(Origin.class)) {
            // validity 1 h: re-signed every 30 min; after a failure, tries at most a minute apart (a tenth of it, capped)
            Resigning r = new Resigning(scheduler, Duration.ofHours(1), resign, () -> expiry,
                    new TaskGuard((task, e) -> { }));
            r.start();
            List<Long> waits = new ArrayList<>();
            failuresLeft.set(10);
            waits.add(scheduler.runNext()); // the first re-signing, which fails
            for (int i = 0; i < 10; i++) {
                waits.add(scheduler.runNext());
            }
            // each try's delay: the first re-signing at half the validity, then the retries
            assertEquals(List.of(1800L, 1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L, 60L), waits);
            assertEquals(1, signings.get(), "the eleventh try succeeded");
            assertEquals(1800L, scheduler.runNext(), "after a success, the next is half a validity on");
            assertEquals(2, signings.get());
            failuresLeft.set(1);
            assertEquals(1800L, scheduler.runNext());
            assertEquals(1L, scheduler.runNext(), "a new run of failures starts again from 1 s");
            assertEquals(3, signings.get());
            List<String> lines = new ArrayList<>();
            for (ILoggingEvent e : logs.events()) {
                if (e.getLevel().isGreaterOrEqual(Level.INFO)) {
                    lines.add(e.getLevel() + " " + e.getFormattedMessage());
                }
            }
            assertEquals(4, lines.size(), String.join("\n", lines));
            assertTrue(lines.get(0).startsWith("ERROR re-signing failed: java.lang.IllegalStateException: simulated"),
                    lines.get(0));
            assertTrue(lines.get(0).contains("trying again in 1s, then at most every 1m until it succeeds"), lines.get(0));
            assertTrue(lines.get(0).contains("expire at " + expiry), lines.get(0));
            assertTrue(lines.get(1).startsWith("INFO re-signing succeeded again after 10 failed tries"), lines.get(1));
            assertTrue(lines.get(2).startsWith("ERROR re-signing failed"), lines.get(2));
            assertTrue(lines.get(3).startsWith("INFO re-signing succeeded again after 1 failed try"), lines.get(3));
            assertEquals(9, logs.events().stream().filter(e -> e.getLevel() == Level.DEBUG).count(),
                    "each failure after the first of a run, at debug");
        } finally {
            logger.setLevel(level);
            scheduler.shutdownNow();
        }
    }

    @Test
    void theLongestWaitBetweenTriesIsATenthOfTheValidityWithinOneSecondAndOneMinute() {
        assertEquals(Duration.ofSeconds(1), Resigning.maxRetry(Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(12), Resigning.maxRetry(Duration.ofMinutes(2)));
        assertEquals(Duration.ofSeconds(60), Resigning.maxRetry(Duration.ofHours(1)));
        assertEquals(Duration.ofSeconds(60), Resigning.maxRetry(Duration.ofDays(7)));
    }
}
