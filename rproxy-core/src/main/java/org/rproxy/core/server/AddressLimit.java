package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the connections a server serves per client source ({@link FrontEndConfig#maxConnectionsPerAddress}),
 * so that one host cannot take for itself what the node-wide limits keep for all (the connections,
 * the answers held for HTTP/2 streams and their reserve for a connection's first place).
 *
 * <p>A source is an IPv4 address, or an IPv6 address's /64: a host on IPv6 is given a /64 and may
 * use any address in it (privacy addresses change by themselves, and an attacker binds as many as
 * it likes), so counting each address would bound nothing; a /64 is one link, as an IPv4 address
 * behind a home router is. An IPv4-mapped IPv6 address (a dual-stack listener) counts as its IPv4
 * address. A connection that is not from an IP address (an embedded channel) is not counted.
 *
 * <p>Shared by every event loop, with no lock of its own (a compare-and-set on the source's count;
 * only a source's first connection inserts into the map, which locks one of its bins): a count per
 * source with at least one connection,
 * removed when its last one closes, so what is kept is bounded by the connections open, however
 * many addresses connect. A count going to zero is marked dead before it is removed; one who finds
 * it dead removes it and starts a new one, so no connection is counted on a count that is gone.
 * Refusals are counted, and logged at most once per {@link #LOG_INTERVAL} over all sources (an
 * attacker at many addresses writes no more lines), each line naming the source it was written for.
 */
final class AddressLimit {

    /** How often the refusal is logged at most; the ones between are counted in the next line. */
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(AltoHttpServer.class);
    private static final int DEAD = -1;
    private static final Place UNCOUNTED = () -> { };

    private final int max;
    private final ConcurrentHashMap<Source, AtomicInteger> open = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();
    private final RateLimitedLog log;

    /** @param max connections per source at once, {@code 0} for no limit */
    AddressLimit(int max) {
        this(max, new RateLimitedLog(LOG_INTERVAL));
    }

    AddressLimit(int max, RateLimitedLog log) {
        if (max < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 0, 0 for no limit)");
        }
        this.max = max;
        this.log = requireNonNull(log, "log");
    }

    /** A connection's place among its source's; given back once, when the connection closes. */
    @FunctionalInterface
    interface Place {
        void release();
    }

    /**
     * Takes a place for a connection from {@code remote}: one that gives nothing back when there
     * is no limit or the peer has no IP address; null, taking none (counted and logged), when its
     * source has the most already.
     */
    Place tryAcquire(SocketAddress remote) {
        if (max == 0) {
            return UNCOUNTED;
        }
        Source source = Source.of(remote);
        if (source == null) {
            return UNCOUNTED;
        }
        while (true) {
            AtomicInteger count = open.get(source);
            if (count == null) {
                AtomicInteger first = new AtomicInteger(1);
                count = open.putIfAbsent(source, first);
                if (count == null) {
                    return () -> release(source, first);
                }
            }
            int n = count.get();
            if (n == DEAD) {
                open.remove(source, count); // its last connection closed: help it go, and start anew
            } else if (n >= max) {
                refused.increment();
                log.warn(LOG, "refused a connection from {}, which has {} open already, the most"
                        + " listen.max-connections-per-address allows", source, max);
                return null;
            } else if (count.compareAndSet(n, n + 1)) {
                AtomicInteger taken = count;
                return () -> release(source, taken);
            }
        }
    }

    private void release(Source source, AtomicInteger count) {
        if (count.decrementAndGet() == 0 && count.compareAndSet(0, DEAD)) {
            open.remove(source, count);
        }
    }

    /** Connections refused so far for their source's limit. */
    long refused() {
        return refused.sum();
    }

    /** The connections counted now from {@code address}'s source (tests). */
    int open(InetAddress address) {
        AtomicInteger count = open.get(Source.of(new InetSocketAddress(address, 0)));
        return count == null ? 0 : Math.max(0, count.get());
    }

    /** The sources with a count kept now (tests: none is kept past its last connection). */
    int sources() {
        return open.size();
    }

    /** An IPv4 address, or an IPv6 address's /64 ({@code v6} tells which: the bits do not). */
    record Source(boolean v6, long bits) {

        /** The source of {@code remote}, or null when it is not an IP address. */
        static Source of(SocketAddress remote) {
            if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
                return null;
            }
            InetAddress address = inet.getAddress();
            byte[] b = address.getAddress();
            if (address instanceof Inet4Address) {
                return new Source(false, bits(b, 0, 4));
            }
            if (address instanceof Inet6Address && mapped(b)) {
                return new Source(false, bits(b, 12, 4));
            }
            return new Source(true, bits(b, 0, 8));
        }

        /** True for {@code ::ffff:a.b.c.d}. */
        private static boolean mapped(byte[] b) {
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return false;
                }
            }
            return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        }

        private static long bits(byte[] b, int from, int length) {
            long v = 0;
            for (int i = from; i < from + length; i++) {
                v = v << 8 | (b[i] & 0xff);
            }
            return v;
        }

        /** The address ({@code 192.0.2.7}), or the /64 ({@code 2001:db8:0:1::/64}). */
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 4; i++) { // four 16-bit groups of a /64, four bytes of an IPv4 address
                int shift = (3 - i) * (v6 ? 16 : 8);
                long part = bits >>> shift & (v6 ? 0xffff : 0xff);
                text.append(i == 0 ? "" : v6 ? ":" : ".").append(v6 ? Long.toHexString(part) : Long.toString(part));
            }
            return v6 ? text.append("::/64").toString() : text.toString();
        }
    }
}
