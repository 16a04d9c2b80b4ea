package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.rproxy.core.model.IpAddress;

/**
 * The addresses of proxies' host names, for {@link CostRankedPolicy}, looked up off the caller's
 * thread: a name lookup may take seconds (a slow resolver, an unreadable hosts file), and a policy
 * runs before every request on the application's thread. {@link #address} never waits: it gives
 * the address last found, and starts a lookup (on a few shared daemon threads, {@code
 * rproxy-client-lookup}) when there is none yet or it is older than {@link #KEEP}; meanwhile the
 * host has no known address, and so no known cost. A host with no address is looked up again
 * after {@link #KEEP_MISSING}. An IP literal needs no lookup. Each host has at most one lookup
 * running, so a lookup that never ends holds back only its own host. Thread-safe.
 */
final class HostAddresses {
    /** How long a found address is used before it is looked up again (kept meanwhile). */
    static final Duration KEEP = Duration.ofSeconds(60);
    /** How long a host with no address waits before it is looked up again. */
    static final Duration KEEP_MISSING = Duration.ofSeconds(10);
    /** The most hosts remembered; past it, all are forgotten (a directory lists far fewer proxies). */
    static final int MAX_HOSTS = 1024;
    private static final int THREADS = 2;
    private static final Executor LOOKUPS = lookupThreads();

    /** Lookups by the JDK's resolver ({@link InetAddress#getByName}), shared by every client of the JVM. */
    static final HostAddresses SYSTEM = new HostAddresses(InetAddress::getByName, System::nanoTime);

    /** How a host name becomes an address: {@link InetAddress#getByName}, or a test's own. */
    @FunctionalInterface
    interface Resolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    /** What is known of one host: its address (null: none found), when looked up, whether a lookup runs. */
    private record Known(IpAddress address, long atNanos, boolean looking) {
    }

    private final Resolver resolver;
    private final LongSupplier nanos;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    HostAddresses(Resolver resolver, LongSupplier nanos) {
        this.resolver = requireNonNull(resolver, "resolver");
        this.nanos = requireNonNull(nanos, "nanos");
    }

    private static Executor lookupThreads() {
        AtomicInteger made = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rproxy-client-lookup-" + made.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * The address of {@code host} (a URI's host: an IPv6 literal in brackets) as last found, or null
     * when none is known yet or it has none; starts a lookup when one is due. Never waits for one.
     */
    IpAddress address(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        IpAddress literal = literal(h);
        if (literal != null) {
            return literal;
        }
        long now = nanos.getAsLong();
        Known k = known.get(h);
        if (k == null || !k.looking() && now - k.atNanos() >= keep(k).toNanos()) {
            start(h, now);
        }
        return k == null ? null : k.address();
    }

    /** Whether a lookup of {@code host} runs (for tests, which wait for one to end). */
    boolean lookingUp(String host) {
        Known k = known.get(host);
        return k != null && k.looking();
    }

    private static Duration keep(Known k) {
        return k.address() == null ? KEEP_MISSING : KEEP;
    }

    private static IpAddress literal(String h) {
        if (h.indexOf(':') < 0 && !(h.length() > 0 && Character.digit(h.charAt(h.length() - 1), 10) >= 0)) {
            return null; // a name: IPv4 literals end in a digit, IPv6 ones have a colon
        }
        try {
            return IpAddress.parseLiteral(h, "host");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Starts a lookup of {@code h} unless one runs: the host keeps what it had meanwhile. */
    private void start(String h, long now) {
        if (known.size() >= MAX_HOSTS && !known.containsKey(h)) {
            known.clear();
        }
        boolean[] mine = {false};
        known.compute(h, (name, k) -> {
            if (k != null && k.looking()) {
                return k;
            }
            mine[0] = true;
            return new Known(k == null ? null : k.address(), k == null ? now : k.atNanos(), true);
        });
        if (!mine[0]) {
            return;
        }
        try {
            LOOKUPS.execute(() -> found(h, lookUp(h)));
        } catch (RejectedExecutionException e) {
            found(h, null); // the JVM is stopping: no address, tried again later
        }
    }

    private IpAddress lookUp(String h) {
        try {
            InetAddress a = resolver.resolve(h);
            return a == null ? null : IpAddress.of(a.getAddress());
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    private void found(String h, IpAddress address) {
        known.put(h, new Known(address, nanos.getAsLong(), false));
    }
}
