package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;

/**
 * An error the JVM cannot be trusted after, thrown on the feed's own thread, is not swallowed:
 * it reaches the feed's {@link org.rproxy.core.concurrent.FatalErrors.Fatal} (in service: the
 * process ends with status 1). Before, the feed's tasks caught only exceptions and its executor
 * (or the {@code ...Async} stage the task ran in) kept the error where nobody read it, and the
 * proxy ran on with a feed that had lost its way. A real upstream on loopback; the error is
 * thrown where the feed hands on what it verified (the directory first).
 */
class FeedFatalErrorTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void anOutOfMemoryErrorInTheFeedsWorkGoesToTheFatalHandler() throws Exception {
        BlockingQueue<Throwable> stopped = new LinkedBlockingQueue<>();
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            OutOfMemoryError oom = new OutOfMemoryError("test: no heap left");
            try (PushFeed feed = PushFeed.start(PushFeedConfig.of(upstream.uri()),
                    new ResponseVerifier(List.of(upstream.origin.publicKey()), new MutableClock(T0.plusSeconds(10))),
                    copy -> {
                        throw oom;
                    }, (task, error) -> stopped.add(error))) {
                Throwable seen = stopped.poll(10, TimeUnit.SECONDS);
                assertNotNull(seen, "the error was swallowed");
                assertEquals(oom, seen);
                assertEquals(null, feed.held().get(NM), "nothing was held past the error");
            }
        }
    }
}
