package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;

/**
 * Closing a client while its followers poll (no source streams, and they poll back to back) is a
 * normal close: nothing is logged above INFO, whichever step of a poll the close comes in, and
 * also when the close cannot wait for the followers (called on an interrupted thread, or from a
 * listener), so that their polls run on a while against a closed client. Many clients, each
 * closed at a moment of its own.
 */
class CloseWhilePollingTest {

    private static final int ROUNDS = 40;
    private static final int FOLLOWERS = 3;

    @TempDir
    Path dir;

    @Test
    void aCloseDuringAPollLogsNoError() throws Exception {
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of());
             CapturedLogs logs = CapturedLogs.ofRoot()) {
            for (int round = 0; round < ROUNDS; round++) {
                AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                        .withTimeout(Duration.ofSeconds(30)).withPollInterval(Duration.ofMillis(1)));
                UpdateFollower[] followers = new UpdateFollower[FOLLOWERS];
                for (int i = 0; i < FOLLOWERS; i++) {
                    followers[i] = c.follow(a -> { });
                }
                // the followers share the client's maps: whichever polls first takes them
                Eventually.await("a poll's answers", Duration.ofSeconds(30), () -> c.answers() != null);
                // into a later poll, at a moment of this round's own
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextLong(20_000)));
                if (round % 2 == 0) {
                    c.close();
                    for (UpdateFollower f : followers) {
                        assertFalse(f.running(), "round " + round);
                    }
                } else {
                    closeInterrupted(c); // waits for no follower: they end behind it
                    for (UpdateFollower f : followers) {
                        Eventually.await("round " + round + ": the follower ends", Duration.ofSeconds(30), () -> !f.running());
                    }
                }
            }
            assertEquals(List.of(), loud(logs), "a close while polling is a normal close");
        }
    }

    /** Closes {@code c} on a thread whose interrupt is set (an application's, stopping), so the close waits for nothing. */
    private static void closeInterrupted(AltoClient c) throws InterruptedException {
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt();
            c.close();
        }, "interrupted-close");
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(t.isAlive(), "close returned");
    }

    /**
     * An application that closes its client from the listener, as a poll begins (told that no
     * stream is followed): the close cannot wait for the follower's own thread, which then polls on
     * against a closed client. That poll ends quietly.
     */
    @Test
    void aCloseFromTheListenerAsAPollBeginsLogsNoError() throws Exception {
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of());
             CapturedLogs logs = CapturedLogs.ofRoot()) {
            AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                    .withTimeout(Duration.ofSeconds(30)));
            CountDownLatch closed = new CountDownLatch(1);
            UpdateFollower f = c.follow(new UpdateFollower.Listener() {
                @Override
                public void changed(LocalAnswers answers) {
                }

                @Override
                public void following(URI stream) {
                    if (stream == null) {
                        c.close();
                        closed.countDown();
                    }
                }
            });
            assertTrue(closed.await(30, TimeUnit.SECONDS), "the follower polled");
            Eventually.await("the follower ends", Duration.ofSeconds(30), () -> !f.running());
            assertEquals(List.of(), loud(logs), "a close from the listener is a normal close");
        }
    }

    private static List<String> loud(CapturedLogs logs) {
        return logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(CloseWhilePollingTest::line).toList();
    }

    private static String line(ILoggingEvent e) {
        return e.getLevel() + " [" + e.getThreadName() + "] " + e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName());
    }
}
