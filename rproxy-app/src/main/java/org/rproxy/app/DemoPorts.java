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
 * system hands out. A port can still be taken between this check and the bind; the demo then
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
