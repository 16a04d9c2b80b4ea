package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/** At most one folder state waits for the publisher, the newest; one offered while it publishes is published after. */
class LatestMapsTest {

    private static MapSet maps(String tag) {
        NetworkMap net = new NetworkMap(new VersionTag("net", tag),
                Map.of("PID1", List.of(Cidr.parse("0.0.0.0/0", false, "pid"))));
        return new MapSet(Map.of("net", net), Map.of(), Map.of(), "net");
    }

    @Test
    void statesOfferedWhileThePublisherIsBusyAreReplacedByTheNewest() throws Exception {
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try {
            BlockingQueue<MapSet> published = new LinkedBlockingQueue<>();
            LatestMaps latest = new LatestMaps(publisher, published::add);
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            publisher.execute(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(busy.await(10, TimeUnit.SECONDS));
            MapSet newest = maps("c");
            latest.offer(maps("a"));
            latest.offer(maps("b"));
            latest.offer(newest);
            assertSame(newest, latest.waiting());
            release.countDown();
            assertSame(newest, published.poll(10, TimeUnit.SECONDS));

            // one offered once the publisher has taken the last is published too
            MapSet after = maps("d");
            latest.offer(after);
            assertSame(after, published.poll(10, TimeUnit.SECONDS));
            publisher.submit(() -> { }).get(10, TimeUnit.SECONDS);
            assertNull(published.poll(), "published once each: " + published);
            assertNull(latest.waiting());
        } finally {
            publisher.shutdownNow();
        }
    }
}
