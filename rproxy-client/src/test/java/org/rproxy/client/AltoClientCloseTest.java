package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A closed client starts no follower, and close stops every follower, also those started while it runs. */
class AltoClientCloseTest {

    @TempDir
    Path dir;

    @Test
    void followAfterCloseIsRefusedAndStartsNoThread() throws Exception {
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
            UpdateFollower before = c.follow(a -> { });
            c.close();
            assertFalse(before.running());
            List<UpdateFollower> started = new ArrayList<>();
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> started.add(c.follow(a -> { })));
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
            } finally {
                started.forEach(UpdateFollower::close);
            }
            c.close(); // again: nothing to do
        }
    }

    @Test
    void closeStopsEveryFollowerEvenOnesStartedWhileItCloses() throws Exception {
        int threads = 4;
        int most = 100; // follows per thread, 10 ms apart, at most: a bound for a client that never refuses
        List<UpdateFollower> started = new CopyOnWriteArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
            CountDownLatch some = new CountDownLatch(threads);
            List<Thread> followers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    for (int i = 0; i < most; i++) {
                        try {
                            started.add(c.follow(a -> { }));
                        } catch (IllegalStateException closed) {
                            refused.incrementAndGet();
                            return;
                        } finally {
                            some.countDown();
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                }, "follow-" + t);
                followers.add(th);
                th.start();
            }
            assertTrue(some.await(20, TimeUnit.SECONDS));
            c.close();
            for (Thread th : followers) {
                th.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(th.isAlive());
            }
            long running = started.stream().filter(UpdateFollower::running).count();
            assertEquals(0, running, running + " of " + started.size() + " followers run on after close");
            assertEquals(threads, refused.get(), "every thread was refused once the client closed");
        } finally {
            started.forEach(UpdateFollower::close);
        }
    }
}
