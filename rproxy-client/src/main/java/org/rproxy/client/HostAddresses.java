package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.rproxy.core.model.IpAddress;
import org.rproxy.core.net.NameLookups;

/**
 * The addresses of proxies' host names, for {@link CostRankedPolicy}, looked up off the caller's
 * thread: a name lookup may take seconds (a slow resolver, an unreadable hosts file), and a policy
 * runs before every request on the application's thread. {@link #address} never waits: it gives
 * the address last found, and starts a lookup (on the JVM's few lookup threads,
 * {@link NameLookups}, which core's upstream lookups share) when there is none yet or it is older
 * than {@link #KEEP}; meanwhile the host has no known address, and so no known cost. A host with
 * no address is looked up again after {@link #KEEP_MISSING}. An IP literal needs no lookup. Each
 * host has at most one lookup running, so a lookup that never ends holds back only its own host
 * (and one of the lookup threads). The keeping is this class's: core's upstream lookups keep
 * nothing (a proxy looks its upstream up for each new connection, the JDK's own cache aside).
 * Thread-safe.
 */
final class HostAddresses {
    /** How long a found address is used before it is looked up again (kept meanwhile). */
    static final Duration KEEP = Duration.ofSeconds(60);
    /** How long a host with no address waits before it is looked up again. */
    static final Duration KEEP_MISSING = Duration.ofSeconds(10);
    /** The most hosts remembered; past it, all are forgotten (a directory lists far fewer proxies). */
    static final int MAX_HOSTS = 1024;

    /** Lookups by the JDK's resolver (its first address of a name), shared by every client of the JVM. */
    static final HostAddresses SYSTEM = new HostAddresses(NameLookups.SYSTEM, System::nanoTime);

    /** What is known of one host: its address (null: none found), when looked up, whether a lookup runs. */
    private record Known(IpAddress address, long atNanos, boolean looking) {
    }

    private final NameLookups.Resolve resolver;
    private final LongSupplier nanos;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** @param resolver how a name becomes its addresses (the first is taken), or a test's own */
    HostAddresses(NameLookups.Resolve resolver, LongSupplier nanos) {
        this.resolver = requireNonNull(resolver, "resolver");
        this.nanos = requireNonNull(nanos, "nanos");
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
        // on a lookup thread; at once when the JVM is stopping (no address, tried again later)
        NameLookups.lookUp(resolver, h).whenComplete((all, e) -> found(h, e == null ? first(all) : null));
    }

    private static IpAddress first(InetAddress[] all) {
        try {
            return IpAddress.of(all[0].getAddress());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void found(String h, IpAddress address) {
        known.put(h, new Known(address, nanos.getAsLong(), false));
    }
}
