package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.rproxy.core.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.IpAddress;

/**
 * The default policy ranks proxies by cost without looking a name up on the caller's thread: a
 * lookup held back (as a slow resolver would) leaves the application's call answered at once, the
 * named proxy ranked as of unknown cost (last), and once the lookup answers the proxy takes its
 * place by cost. IP literals are never looked up; a found address is looked up again when old,
 * and kept meanwhile.
 */
class CostRankedLookupTest {
    private static final String NEAR = "near.test";
    /** 128.36.1.5 and 127.0.0.2 (what {@link #NEAR} resolves to) are in PID1, 127.0.0.3 in PID2, 127.0.0.9 in PID3. */
    private static final List<String> PROXIES = List.of("http://127.0.0.9:1/", "http://" + NEAR + ":1/",
            "http://127.0.0.3:1/");

    @TempDir
    Path dir;
    private LocalOrigin origin;
    private final CountDownLatch answer = new CountDownLatch(1);
    private CompletableFuture<AltoClient> made;

    @AfterEach
    void stop() {
        answer.countDown();
        if (made != null) {
            made.join().close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void aHeldLookupNeitherHoldsTheCallerNorHidesTheOthersCostsAndTheProxyRanksByCostOnceFound() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        Queue<String> lookedUp = new ConcurrentLinkedQueue<>();
        HostAddresses held = new HostAddresses(host -> {
            lookedUp.add(host);
            asked.countDown();
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!host.equals(NEAR)) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByAddress(NEAR, new byte[] {127, 0, 0, 2})};
        }, System::nanoTime);
        origin = LocalOrigin.start(dir, PROXIES);
        ClientOptions options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withClientAddress("128.36.1.5").withPolicy(new CostRankedPolicy(held));
        // the application's calls, each on a thread of its own so that one held by the lookup fails by a deadline
        made = CompletableFuture.supplyAsync(() -> {
            try {
                AltoClient c = AltoClient.bootstrap(options);
                c.refreshMaps();
                return c;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        AltoClient c = made.get(10, TimeUnit.SECONDS);
        CompletableFuture<List<URI>> order = CompletableFuture.supplyAsync(c::sourceOrder);
        assertTrue(asked.await(10, TimeUnit.SECONDS), "the name was never looked up");
        // before: the caller waited for the lookup, and this timed out
        assertEquals(uris("http://127.0.0.3:1/", "http://127.0.0.9:1/", "http://" + NEAR + ":1/",
                origin.uri().toString()), order.get(10, TimeUnit.SECONDS),
                "answered while the lookup is held: PID2, PID3, then the proxy of no known cost yet");
        answer.countDown();
        Eventually.await("the named proxy first once its name is found", Duration.ofSeconds(10),
                () -> c.sourceOrder().get(0).getHost().equals(NEAR));
        assertEquals(uris("http://" + NEAR + ":1/", "http://127.0.0.3:1/", "http://127.0.0.9:1/",
                origin.uri().toString()), c.sourceOrder(), "found: in PID1 with the client, the cheapest");
        assertEquals(List.of(NEAR), List.copyOf(lookedUp), "looked up once; IP literals never");
    }

    @Test
    void anOldAddressIsKeptWhileItIsLookedUpAgainAndAHostWithoutOneIsTriedAgainSooner() throws Exception {
        AtomicLong now = new AtomicLong();
        Queue<String> asked = new ConcurrentLinkedQueue<>();
        byte[][] next = {{10, 0, 0, 1}};
        HostAddresses addresses = new HostAddresses(host -> {
            asked.add(host);
            if (host.equals("gone.test")) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByAddress(host, next[0])};
        }, now::get);
        assertNull(addresses.address(NEAR), "not found yet: no address, no waiting");
        Eventually.await("the name found", Duration.ofSeconds(10), () -> addresses.address(NEAR) != null);
        assertEquals(IpAddress.of(new byte[] {10, 0, 0, 1}), addresses.address(NEAR));
        next[0] = new byte[] {10, 0, 0, 2};
        now.addAndGet(HostAddresses.KEEP.toNanos());
        assertEquals(IpAddress.of(new byte[] {10, 0, 0, 1}), addresses.address(NEAR), "old, kept while looked up again");
        Eventually.await("the address looked up again", Duration.ofSeconds(10),
                () -> IpAddress.of(new byte[] {10, 0, 0, 2}).equals(addresses.address(NEAR)));

        assertNull(addresses.address("gone.test"));
        Eventually.await("the failed lookup over", Duration.ofSeconds(10), () -> !addresses.lookingUp("gone.test"));
        now.addAndGet(HostAddresses.KEEP_MISSING.toNanos() - 1);
        assertNull(addresses.address("gone.test"), "no address, and not looked up again yet");
        assertTrue(!addresses.lookingUp("gone.test"));
        now.addAndGet(1);
        assertNull(addresses.address("gone.test"));
        Eventually.await("the second failed lookup over", Duration.ofSeconds(10),
                () -> !addresses.lookingUp("gone.test"));
        assertEquals(IpAddress.of(new byte[] {127, 0, 0, 3}), addresses.address("127.0.0.3"));
        assertEquals(IpAddress.of(new byte[16]), addresses.address("[::]"));
        assertEquals(List.of(NEAR, NEAR, "gone.test", "gone.test"), List.copyOf(asked), "literals are never looked up");
    }

    private static List<URI> uris(String... all) {
        return java.util.Arrays.stream(all).map(URI::create).toList();
    }
}
