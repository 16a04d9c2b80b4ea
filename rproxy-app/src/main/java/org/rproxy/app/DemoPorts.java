package org.rproxy.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo's ports, chosen before anything starts, because the origin publishes its proxies'
 * URLs in its directory and capability and must know them when it starts, while the proxies need
 * the origin's URL: the preferred port of each node if it is free on 127.0.0.1, else one the
 * system hands out, which the demo says ({@link #moved}). A port can still be taken between this check and the bind; the demo then
 * stops with a message naming it. Start-up only, on the main thread.
 */
final class DemoPorts {

    private DemoPorts() {
    }

    /**
     * One port for each of {@code preferred} (0 = any), distinct, each free at the time of the call.
     */
    static List<Integer> choose(List<Integer> preferred) {
        List<Integer> chosen = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        for (int want : preferred) {
            int port = want != 0 && !taken.contains(want) && isFree(want) ? want : anyFree(taken);
            taken.add(port);
            chosen.add(port);
        }
        return List.copyOf(chosen);
    }

    /**
     * A line for each node whose preferred port ({@code wanted}, 0 for any) was taken, naming the
     * port it has instead ({@code chosen}): {@code port 8181 on 127.0.0.1 is taken: the origin
     * listens on 127.0.0.1:40123 instead}.
     */
    static List<String> moved(List<Integer> wanted, List<Integer> chosen, List<String> names) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            if (wanted.get(i) != 0 && !wanted.get(i).equals(chosen.get(i))) {
                lines.add("port " + wanted.get(i) + " on 127.0.0.1 is taken: " + names.get(i) + " listens on 127.0.0.1:"
                        + chosen.get(i) + " instead");
            }
        }
        return List.copyOf(lines);
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    private static int anyFree(Set<Integer> taken) {
        for (int attempt = 0; attempt < 16; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (!taken.contains(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1 after 16 attempts");
    }
}
