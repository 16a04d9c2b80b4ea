package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed client starts no follower, and close stops every follower, also those started while it
 * runs; a follower closed on its own is let go of at once, not kept until the client closes;
 * close ends the HTTP and map-fetching threads the client used, waits one timeout in all for followers
 * whose listeners block, and a closed client asks no source.
 */
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

    /**
     * Each client's HTTP work and map fetches run on its own executors, whose threads close ends. Only this test's
     * clients' threads are looked at: counting every HTTP worker thread of the JVM once failed
     * when another test's client, left open, started one while this test ran.
     */
    @Test
    void closeEndsTheThreadsOfTheClientsHttp() throws Exception {
        int selectorsBefore = selectorThreads().size();
        try (LocalOrigin origin = LocalOrigin.startStreaming(dir, List.of())) {
            // what the client library guide tells an application to do when the proxy list changes, several times over
            List<ThreadPoolExecutor> executors = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
                c.refreshMaps();
                c.follow(a -> { });
                ThreadPoolExecutor e = httpExecutor(c);
                assertTrue(e.getLargestPoolSize() > 0, "the client's requests ran on its own HTTP threads");
                executors.add(e);
                ThreadPoolExecutor maps = ProxiedClient.mapThreads(c);
                assertTrue(maps.getLargestPoolSize() > 1, "the maps were fetched on the client's own threads");
                executors.add(maps);
                c.close();
            }
            // bounded: an executor left running would keep its idle threads for 60 s after the client is closed
            for (ThreadPoolExecutor e : executors) {
                assertTrue(e.awaitTermination(30, TimeUnit.SECONDS), "HTTP or map threads left after close: " + e);
            }
            if (Runtime.version().feature() >= 21) {
                // HttpClient.close() there ends the JDK's selector threads too: at most as many as
                // before are left (the JVM's: another test's may end meanwhile)
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < end && selectorThreads().size() > selectorsBefore) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                assertTrue(selectorThreads().size() <= selectorsBefore, "selector threads left: " + selectorThreads());
            }
        }
    }

    @Test
    void aClosedClientAsksNoSourceButStillAnswers() throws Exception {
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
            c.refreshMaps();
            c.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.fetch(LocalOrigin.NETWORK_MAP));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, c::refreshMaps);
            assertTrue(c.answers().isCurrent(), "the answers held are still given");
        }
    }

    /**
     * Followers whose listeners block (and ignore interrupts) are all told to stop before close
     * waits for any, and close waits about one timeout in all, not one per follower; each thread
     * ends as soon as its listener returns. Before, close waited for them one after another, up
     * to the timeout each: six followers took six timeouts.
     */
    @Test
    void closeWaitsOneTimeoutInAllForFollowersWhoseListenersBlock() throws Exception {
        int n = 6;
        Duration timeout = Duration.ofSeconds(2);
        CountDownLatch inListener = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        List<UpdateFollower> started = new ArrayList<>();
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                    .withTimeout(timeout));
            UpdateFollower.Listener blocking = new UpdateFollower.Listener() {
                @Override
                public void changed(LocalAnswers answers) {
                }

                @Override
                public void following(URI stream) {
                    inListener.countDown();
                    awaitIgnoringInterrupts(release);
                }
            };
            for (int i = 0; i < n; i++) {
                started.add(c.follow(blocking));
            }
            assertTrue(inListener.await(60, TimeUnit.SECONDS), "every follower in its listener");
            long start = System.nanoTime();
            c.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // a bound the old close could not meet: it waited the whole timeout for each follower in turn
            assertTrue(took.compareTo(timeout.multipliedBy(n - 1)) < 0, "close took " + took + " for " + n
                    + " followers blocked in their listeners, timeout " + timeout);
            release.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end && started.stream().anyMatch(UpdateFollower::running)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            long running = started.stream().filter(UpdateFollower::running).count();
            assertEquals(0, running, running + " of " + n + " followers run on once their listeners returned");
        } finally {
            release.countDown();
        }
    }

    /** Waits for {@code latch} as a listener that ignores interrupts would, a minute at most. */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean interrupted = false;
        while (latch.getCount() > 0 && System.nanoTime() < end) {
            try {
                latch.await(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The executor of {@code c}'s HTTP client (its threads are {@code alto-client-http-M}). */
    private static ThreadPoolExecutor httpExecutor(AltoClient c) throws Exception {
        Field fetcher = AltoClient.class.getDeclaredField("fetcher");
        fetcher.setAccessible(true);
        Field executor = Fetcher.class.getDeclaredField("executor");
        executor.setAccessible(true);
        return (ThreadPoolExecutor) executor.get(fetcher.get(c));
    }

    /** The JDK HTTP clients' selector threads alive. */
    private static List<String> selectorThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void aFollowerClosedOnItsOwnIsNotHeldByTheClient() throws Exception {
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
            // a long-lived application that follows and stops again and again
            List<WeakReference<UpdateFollower>> closed = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                UpdateFollower f = c.follow(a -> { });
                f.close();
                assertFalse(f.running());
                closed.add(new WeakReference<>(f));
            }
            UpdateFollower open = c.follow(a -> { });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end && closed.stream().anyMatch(r -> r.get() != null)) {
                System.gc();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            long held = closed.stream().filter(r -> r.get() != null).count();
            assertEquals(0, held, held + " of 5 closed followers still reachable after 20 s of collections");
            assertTrue(open.running(), "the one still following is not let go of");
            c.close();
            assertFalse(open.running(), "and the client's close still stops it");
        }
    }
}
