package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.boot;
import static org.rproxy.overlay.NamespaceChecks.ip;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** Namespace checks ({@link NamespaceChecks}) of a DHT node's start: it returns with its socket held, or fails saying which. */
final class StartChecks {
    private StartChecks() {
    }

    private static List<InetSocketAddress> bootstrap() {
        return OverlayNode.addresses(boot(1, 3));
    }

    /**
     * A node whose socket mldht cannot open (the port held by a socket without SO_REUSEADDR)
     * fails its start naming the address and port; before, mldht logged it and the node ran
     * without a socket, never joining.
     */
    static void socketNotOpenedFailsTheStart(Path dir) throws Exception {
        InetSocketAddress at = new InetSocketAddress(ip(1), 6881);
        try (DatagramSocket holder = new DatagramSocket(null)) {
            holder.bind(at);
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> DhtNode.start(at.getAddress(), 6881, dir.resolve("b"), bootstrap(), false).close());
            say("held port: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("dht-port: no DHT socket on 100.64.0.1:6881 (UDP) within 5 s: "),
                    e.getMessage());
            // the command line prints the cause's message alone: it says the same
            assertTrue(e.getCause().getMessage().equals(e.getMessage()), e.getCause().getMessage());
        }
    }
}
