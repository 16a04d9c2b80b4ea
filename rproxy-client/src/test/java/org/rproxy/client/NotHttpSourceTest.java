package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.Eventually;

/**
 * What a listed source that answers something that is not HTTP (an SSH banner) costs a client: the
 * JDK's {@code HttpClient} refuses the answer ("not a valid HTTP response: Invalid status line")
 * but keeps the connection open (on Java 17 to 20 for as long as the JVM runs, even once the
 * client is closed and collected; from Java 21, until the client is closed), so every such answer
 * is a socket held. The client asks such a source once per cool-down: the failure cools it down, a
 * refresh's later fetches go elsewhere, and it is asked again only once the cool-down has passed;
 * each such answer in a row doubles the next cool-down (SourceHealthTest has the figures), so it
 * holds one socket per cool-down of that source, ever fewer (client-library.md gives the figure for
 * a day). The source here holds every connection and counts those the client ends. Real sockets,
 * a real signing origin; a short cool-down, so that four of them (0.3, 0.6, 1.2, 2.4 s) pass in the test.
 */
class NotHttpSourceTest {
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aSourceAnsweringNotHttpIsAskedOncePerCoolDownAndEachAnswerHoldsASocketOpen() throws Exception {
        AtomicInteger ended = new AtomicInteger();
        RawSource hostile = started.add(new RawSource((request, in, out) -> {
            out.write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try {
                while (in.read() >= 0) {
                    // held until the client ends the connection (or the test does)
                }
            } finally {
                ended.incrementAndGet();
            }
        }));
        LocalOrigin origin = started.add(LocalOrigin.start(dir, List.of(hostile.base())));
        AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withCoolDown(Duration.ofMillis(300)));
        URI source = URI.create(hostile.base());

        Instant last = null;
        for (int round = 1; round <= ROUNDS; round++) {
            Eventually.await("the cool-down passed", Duration.ofSeconds(10), () -> !c.health().coolingDown(source));
            LocalAnswers a = c.refreshMaps(); // the directory from the hostile proxy first, then all from the origin
            assertEquals(5.0, a.cost("128.36.1.5", "130.132.3.9").orElseThrow(), 0.0);
            assertTrue(c.health().coolingDown(source), c.health().toString());
            assertEquals(round, hostile.requests.size(), () -> "asked once per cool-down: " + hostile.requests);
            // asked once the last cool-down ended, so this one ends at least its length after that
            Instant until = c.health().sources().get(0).coolingUntil();
            if (last != null) {
                Duration apart = Duration.between(last, until);
                assertTrue(apart.compareTo(Duration.ofMillis(300L << (round - 1))) >= 0,
                        () -> "cooling down longer at each such answer in a row: " + apart + " after answer " + hostile.requests.size());
            }
            last = until;
        }
        String why = c.health().sources().get(0).lastFailure();
        assertTrue(why.contains("not a valid HTTP response"), why);
        assertEquals(0, ended.get(), "the JDK ended none of the connections it refused an answer on");

        c.close();
        if (Runtime.version().feature() >= 21) { // HttpClient.close(), which the client calls there, ends them
            Eventually.await("the closed client's sockets ended", Duration.ofSeconds(10), () -> ended.get() == ROUNDS);
        }
    }
}
