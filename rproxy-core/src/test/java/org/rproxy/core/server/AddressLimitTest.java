package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.Test;
import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.testing.CapturedLogs;

/**
 * The per-address count on its own: what a source is (an IPv4 address, an IPv6 /64), the limit
 * per source, a count gone with its last connection, and many threads taking and giving back
 * places for a few sources never passing the limit nor leaving a count behind.
 */
class AddressLimitTest {

    private static InetSocketAddress at(String literal) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(literal), 40_000);
    }

    @Test
    void aSourceIsAnIpv4AddressOrAnIpv6Slash64() throws Exception {
        assertEquals("192.0.2.7", AddressLimit.Source.of(at("192.0.2.7")).toString());
        assertEquals(AddressLimit.Source.of(at("2001:db8:0:1::1")), AddressLimit.Source.of(at("2001:db8:0:1:ffff:1:2:3")),
                "two addresses of one /64 are one source");
        assertTrue(!AddressLimit.Source.of(at("2001:db8:0:1::1")).equals(AddressLimit.Source.of(at("2001:db8:0:2::1"))),
                "another /64 is another source");
        assertEquals("2001:db8:0:1::/64", AddressLimit.Source.of(at("2001:db8:0:1::1")).toString());
        assertEquals(AddressLimit.Source.of(at("192.0.2.7")), AddressLimit.Source.of(
                new InetSocketAddress(java.net.Inet6Address.getByAddress(null, mapped(192, 0, 2, 7), null), 1)),
                "an IPv4-mapped address is its IPv4 address");
        assertTrue(!AddressLimit.Source.of(at("0.0.0.1")).equals(AddressLimit.Source.of(at("::1"))),
                "an IPv4 source is never an IPv6 one, whatever its bits");
        EmbeddedChannel embedded = new EmbeddedChannel();
        assertNull(AddressLimit.Source.of(embedded.remoteAddress()), "no IP address: not counted");
        embedded.close();
        assertNull(AddressLimit.Source.of(InetSocketAddress.createUnresolved("example.net", 80)));
    }

    private static byte[] mapped(int a, int b, int c, int d) {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        return bytes;
    }

    @Test
    void eachSourceHasTheLimitAndACountGoesWithItsLastConnection() throws Exception {
        AddressLimit limit = new AddressLimit(2);
        AddressLimit.Place a1 = limit.tryAcquire(at("192.0.2.1"));
        AddressLimit.Place a2 = limit.tryAcquire(at("192.0.2.1"));
        assertNotNull(a1);
        assertNotNull(a2);
        assertNull(limit.tryAcquire(at("192.0.2.1")), "a third from the same address");
        assertNull(limit.tryAcquire(at("192.0.2.1")));
        assertEquals(2, limit.refused());
        AddressLimit.Place b = limit.tryAcquire(at("192.0.2.2"));
        assertNotNull(b, "another address still connects");
        assertEquals(2, limit.open(InetAddress.getByName("192.0.2.1")));
        assertEquals(2, limit.sources());

        a1.release();
        AddressLimit.Place again = limit.tryAcquire(at("192.0.2.1"));
        assertNotNull(again, "a place given back is taken again");
        again.release();
        a2.release();
        b.release();
        assertEquals(0, limit.sources(), "no count kept for a source without connections");
        assertEquals(0, limit.open(InetAddress.getByName("192.0.2.1")));
    }

    @Test
    void noLimitCountsNothing() throws Exception {
        AddressLimit off = new AddressLimit(0);
        for (int i = 0; i < 100; i++) {
            assertNotNull(off.tryAcquire(at("192.0.2.1")));
        }
        assertEquals(0, off.sources());
        assertEquals(0, off.refused());
        AddressLimit on = new AddressLimit(1);
        EmbeddedChannel embedded = new EmbeddedChannel();
        assertSame(on.tryAcquire(embedded.remoteAddress()), on.tryAcquire(embedded.remoteAddress()),
                "a peer without an IP address takes no counted place");
        embedded.close();
        assertEquals(0, on.sources());
    }

    @Test
    void aRefusalIsLoggedOncePerIntervalWithTheOnesBetweenCounted() throws Exception {
        AtomicLong now = new AtomicLong();
        AddressLimit limit = new AddressLimit(1, new RateLimitedLog(AddressLimit.LOG_INTERVAL, now::get, 16));
        limit.tryAcquire(at("2001:db8::7"));
        try (CapturedLogs logs = CapturedLogs.of(AltoHttpServer.class)) {
            for (int i = 0; i < 5; i++) {
                assertNull(limit.tryAcquire(at("2001:db8::" + (i + 8))));
            }
            now.addAndGet(AddressLimit.LOG_INTERVAL.toNanos());
            assertNull(limit.tryAcquire(at("2001:db8::99")));
            List<String> lines = logs.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(List.of("refused a connection from 2001:db8:0:0::/64, which has 1 open already,"
                    + " the most listen.max-connections-per-address allows",
                    "refused a connection from 2001:db8:0:0::/64, which has 1 open already,"
                    + " the most listen.max-connections-per-address allows (4 more like this not logged)"),
                    lines);
        }
        assertEquals(6, limit.refused());
    }

    /**
     * Eight threads each take and give back places for four addresses as fast as they can: no
     * address ever has more than the limit at once, every place taken is given back, and no count
     * is left behind (a count that went to zero while another thread took it is never lost).
     */
    @Test
    void placesTakenAndGivenBackAtOnceStayWithinTheLimitAndLeaveNothing() throws Exception {
        int max = 3;
        AddressLimit limit = new AddressLimit(max, new RateLimitedLog(Duration.ofDays(1)));
        InetSocketAddress[] addresses = {at("192.0.2.1"), at("192.0.2.2"), at("2001:db8::1"), at("2001:db8::2")};
        AtomicInteger[] held = new AtomicInteger[addresses.length];
        for (int i = 0; i < held.length; i++) {
            held[i] = new AtomicInteger();
        }
        AtomicInteger over = new AtomicInteger();
        AtomicLong taken = new AtomicLong();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                runs.add(pool.submit(() -> {
                    start.await();
                    List<AddressLimit.Place> mine = new ArrayList<>();
                    List<Integer> whose = new ArrayList<>();
                    for (int i = 0; i < 20_000; i++) {
                        int a = (seed + i) % addresses.length;
                        AddressLimit.Place p = limit.tryAcquire(addresses[a]);
                        if (p != null) {
                            taken.incrementAndGet();
                            if (held[a].incrementAndGet() > max) {
                                over.incrementAndGet();
                            }
                            mine.add(p);
                            whose.add(a);
                        }
                        if (mine.size() > 2 || (i % 3 == 0 && !mine.isEmpty())) {
                            held[whose.remove(0)].decrementAndGet();
                            mine.remove(0).release();
                        }
                    }
                    for (int i = 0; i < mine.size(); i++) {
                        held[whose.get(i)].decrementAndGet();
                        mine.get(i).release();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, over.get(), "times an address had more than " + max + " places at once");
        assertTrue(taken.get() > 0 && limit.refused() > 0, "both taken (" + taken + ") and refused (" + limit.refused() + ")");
        assertEquals(0, limit.sources(), "counts left behind");
    }
}
