package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's threads are named after its origin (host and port, as the application gave them), a
 * follower's also after the network map it follows, so that an application with two clients, or a
 * thread dump from a support ticket, tells them apart; before, every client's followers were
 * {@code rproxy-client-updates} and {@code rproxy-client-updates-watchdog}, whoever they followed,
 * and its own threads {@code alto-client-N-http-M} and {@code alto-client-N-maps-M}, N a count over
 * the JVM. Two clients of two real origins on loopback; and a long name is bounded.
 */
class ClientThreadNamesTest {

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
    void eachClientsOwnThreadsNameItsOrigin() throws Exception {
        try (LocalOrigin first = LocalOrigin.start(a, List.of()); LocalOrigin second = LocalOrigin.start(b, List.of());
             AltoClient one = client(first); AltoClient two = client(second)) {
            one.refreshMaps(); // its maps at once, on its map-fetching threads
            two.refreshMaps();
            Set<String> names = threadsNamed("alto-client-");
            for (LocalOrigin o : List.of(first, second)) {
                for (String role : List.of("http", "maps")) {
                    String name = "alto-client-" + role + "-\\d+ " + Pattern.quote(hostPort(o.uri()));
                    assertTrue(names.stream().anyMatch(n -> n.matches(name)), name + " in " + names);
                }
            }
        }
    }

    @Test
    void aLongNameKeepsTheHostsStartAndTheMapsEndWithinTheBound() {
        String host = "alto." + "very-long-label.".repeat(8) + "example.net";
        String of = ClientThreads.of(URI.create("https://" + host + ":8443"), List.of("/networkmap/my-default-network-map"));
        assertEquals(ClientThreads.MAX, of.length(), of);
        assertTrue(of.startsWith("alto.very-long-label.") && of.endsWith("/networkmap/my-default-network-map")
                && of.contains("..."), of);
        assertEquals("alto.example.net/networkmap/m",
                ClientThreads.of(URI.create("https://alto.example.net"), List.of("/networkmap/m")));
    }

    @Test
    void aLongHostKeepsItsStartAndItsPortWithinTheBound() {
        String host = "alto." + "very-long-label.".repeat(8) + "example.net";
        String of = ClientThreads.of(URI.create("https://" + host + ":8443/alto/"));
        assertEquals(ClientThreads.MAX, of.length(), of);
        assertTrue(of.startsWith("alto.very-long-label.") && of.endsWith("example.net:8443") && of.contains("..."), of);
        assertEquals("alto.example.net", ClientThreads.of(URI.create("https://alto.example.net/alto/")));
    }

    private static AltoClient client(LocalOrigin origin) {
        return AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
    }

    private static String hostPort(URI u) {
        return u.getHost() + ":" + u.getPort();
    }

    private static Set<String> followerThreads() {
        return threadsNamed("rproxy-client-updates");
    }

    private static Set<String> threadsNamed(String prefix) {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
