package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's threads are named after its client's origin (host and port, as the application gave
 * them) and the network map it follows, so that an application with two clients, or a thread dump
 * from a support ticket, tells them apart; before, every client's were {@code rproxy-client-updates}
 * and {@code rproxy-client-updates-watchdog}, whoever they followed. Two clients of two real
 * origins on loopback; and a long name is bounded.
 */
class FollowerThreadNamesTest {

    @TempDir
    Path a;
    @TempDir
    Path b;

    @Test
    void eachFollowersThreadsNameItsOriginAndMap() throws Exception {
        try (LocalOrigin first = LocalOrigin.start(a, List.of()); LocalOrigin second = LocalOrigin.start(b, List.of());
             AltoClient one = client(first); AltoClient two = client(second)) {
            UpdateFollower f1 = one.follow(answers -> { });
            UpdateFollower f2 = two.follow(answers -> { });
            String of1 = hostPort(first.uri()) + one.mapTargets().get(0);
            String of2 = hostPort(second.uri()) + two.mapTargets().get(0);
            Set<String> names = followerThreads();
            assertTrue(names.containsAll(Set.of("rproxy-client-updates " + of1, "rproxy-client-updates-watchdog " + of1,
                    "rproxy-client-updates " + of2, "rproxy-client-updates-watchdog " + of2)), names::toString);
            f1.close();
            f2.close();
        }
    }

    @Test
    void aLongNameKeepsTheHostsStartAndTheMapsEndWithinTheBound() {
        String host = "alto." + "very-long-label.".repeat(8) + "example.net";
        String of = FollowerThreads.of(URI.create("https://" + host + ":8443"), List.of("/networkmap/my-default-network-map"));
        assertEquals(FollowerThreads.MAX, of.length(), of);
        assertTrue(of.startsWith("alto.very-long-label.") && of.endsWith("/networkmap/my-default-network-map")
                && of.contains("..."), of);
        assertEquals("alto.example.net/networkmap/m",
                FollowerThreads.of(URI.create("https://alto.example.net"), List.of("/networkmap/m")));
    }

    private static AltoClient client(LocalOrigin origin) {
        return AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
    }

    private static String hostPort(URI u) {
        return u.getHost() + ":" + u.getPort();
    }

    private static Set<String> followerThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("rproxy-client-updates")) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
