package org.rproxy.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The JVM's name lookups, which the proxies' upstream connections and the client library's
 * source ranking share: each runs on a lookup thread, never the caller's; a name with no address
 * fails; and one given up while it waited for a thread is never made.
 */
class NameLookupsTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 2};

    @Test
    void aLookupRunsOnALookupThreadAndANameWithoutAddressFails() throws Exception {
        Queue<String> on = new ConcurrentLinkedQueue<>();
        InetAddress[] found = NameLookups.lookUp(host -> {
            on.add(Thread.currentThread().getName());
            return new InetAddress[] {InetAddress.getByAddress(host, LOOPBACK)};
        }, "near.test").get(10, TimeUnit.SECONDS);
        assertArrayEquals(LOOPBACK, found[0].getAddress());
        assertTrue(on.peek().startsWith("rproxy-lookup-"), on.toString());

        ExecutionException none = assertThrows(ExecutionException.class,
                () -> NameLookups.lookUp(host -> new InetAddress[0], "none.test").get(10, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, none.getCause());
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> NameLookups.lookUp(host -> {
            throw new UnknownHostException(host);
        }, "gone.test").get(10, TimeUnit.SECONDS));
        assertEquals("gone.test", thrown.getCause().getMessage());
    }

    @Test
    void aLookupGivenUpWhileItWaitedForAThreadIsNotMade() throws Exception {
        CountDownLatch busy = new CountDownLatch(NameLookups.THREADS);
        CountDownLatch release = new CountDownLatch(1);
        Queue<String> asked = new ConcurrentLinkedQueue<>();
        NameLookups.Resolve held = host -> {
            asked.add(host);
            if (host.startsWith("held")) {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new InetAddress[] {InetAddress.getByAddress(host, LOOPBACK)};
        };
        List<CompletableFuture<InetAddress[]>> holding = new ArrayList<>();
        try {
            for (int i = 0; i < NameLookups.THREADS; i++) {
                holding.add(NameLookups.lookUp(held, "held-" + i + ".test"));
            }
            assertTrue(busy.await(10, TimeUnit.SECONDS), "every lookup thread is busy");
            CompletableFuture<InetAddress[]> givenUp = NameLookups.lookUp(held, "given-up.test");
            givenUp.cancel(false);
            CompletableFuture<InetAddress[]> after = NameLookups.lookUp(held, "after.test");
            release.countDown();
            after.get(10, TimeUnit.SECONDS); // queued behind the one given up: it has had its turn
            assertTrue(asked.stream().noneMatch("given-up.test"::equals), asked.toString());
        } finally {
            release.countDown();
            for (CompletableFuture<InetAddress[]> f : holding) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
