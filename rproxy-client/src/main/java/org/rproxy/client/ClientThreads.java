package org.rproxy.client;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names a client's threads after what the application set and sees, behind each thread's role: the
 * origin's host (and port, when it gave one), and for an {@link UpdateFollower}'s threads the
 * network map followed as well, as {@link AltoClient#mapTargets()} lists it first
 * ({@code alto-client-http-1 alto.example.net}, {@code rproxy-client-updates alto.example.net/networkmap/default}).
 * An application with two clients, or a thread dump attached to a support ticket, then tells whose
 * thread is whose; a number counted over the JVM ({@code alto-client-3-http-1}) told nothing of
 * that. What follows the role is at most {@value #MAX} characters: a longer one keeps its start
 * (the host) and its end (the port, or the map's id), with {@code ...} between. Stateless.
 */
final class ClientThreads {
    /** The most characters of a name after its role. */
    static final int MAX = 96;

    private ClientThreads() {
    }

    /**
     * {@return what a client's own threads are named after, behind their role and number
     * ({@code alto-client-http-M}, {@code alto-client-maps-M}): the host of {@code origin}, with its port when it gave one}
     */
    static String of(URI origin) {
        return bounded(host(origin));
    }

    /**
     * {@return what a follower's thread is named after, behind its role ({@code rproxy-client-updates},
     * {@code ...-watchdog}, {@code ...-move}): the host of {@code origin} and the first of {@code mapTargets}}
     */
    static String of(URI origin, List<String> mapTargets) {
        return bounded(mapTargets.isEmpty() ? host(origin) : host(origin) + mapTargets.get(0));
    }

    /** {@return a factory of daemon threads named {@code role-N of}, N counting from 1, for a pool of a client's} */
    static ThreadFactory numbered(String role, String of) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, role + "-" + n.incrementAndGet() + " " + of);
            t.setDaemon(true);
            return t;
        };
    }

    private static String host(URI origin) {
        return origin.getHost() + (origin.getPort() < 0 ? "" : ":" + origin.getPort());
    }

    private static String bounded(String of) {
        if (of.length() <= MAX) {
            return of;
        }
        int head = (MAX - 3) / 2;
        return of.substring(0, head) + "..." + of.substring(of.length() - (MAX - 3 - head));
    }
}
