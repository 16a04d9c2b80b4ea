package org.rproxy.client;

import java.net.URI;
import java.util.List;

/**
 * Names an {@link UpdateFollower}'s threads after what the application set and sees: the origin's
 * host (and port, when it gave one) and the network map followed, as {@link AltoClient#mapTargets()}
 * lists it first ({@code rproxy-client-updates alto.example.net/networkmap/default}). An application
 * with two clients, or a thread dump attached to a support ticket, then tells whose thread is whose.
 * What follows the role is at most {@value #MAX} characters: a longer one keeps its start (the host)
 * and its end (the map's id), with {@code ...} between. Stateless.
 */
final class FollowerThreads {
    /** The most characters of a name after its role. */
    static final int MAX = 96;

    private FollowerThreads() {
    }

    /**
     * {@return what a follower's thread is named after, behind its role ({@code rproxy-client-updates},
     * {@code ...-watchdog}, {@code ...-move}): the host of {@code origin} and the first of {@code mapTargets}}
     */
    static String of(URI origin, List<String> mapTargets) {
        String host = origin.getHost() + (origin.getPort() < 0 ? "" : ":" + origin.getPort());
        String of = mapTargets.isEmpty() ? host : host + mapTargets.get(0);
        if (of.length() <= MAX) {
            return of;
        }
        int head = (MAX - 3) / 2;
        return of.substring(0, head) + "..." + of.substring(of.length() - (MAX - 3 - head));
    }
}
