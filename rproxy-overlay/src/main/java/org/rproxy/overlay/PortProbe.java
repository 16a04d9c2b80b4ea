package org.rproxy.overlay;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;

/**
 * Binds and closes the overlay's two ports before the DHT and the swarm start, so that a port
 * another process holds stops the start with the key and the reason. Without it, mldht meets a
 * taken UDP port on a thread of its own and only logs it, and the node runs without a DHT.
 */
final class PortProbe {

    private PortProbe() {
    }

    /**
     * @param bind the address both use, or null for every address (the DHT's own choice)
     * @throws IllegalArgumentException {@code "dht-port: cannot listen on HOST:PORT (UDP): address already in use"},
     *                                  likewise {@code bt-port} (TCP)
     */
    static void check(InetAddress bind, int dhtPort, int btPort) {
        InetSocketAddress dht = bind == null ? new InetSocketAddress(dhtPort) : new InetSocketAddress(bind, dhtPort);
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.bind(dht);
        } catch (SocketException e) {
            throw refused("dht-port", dht, "UDP", e);
        }
        InetSocketAddress bt = bind == null ? new InetSocketAddress(btPort) : new InetSocketAddress(bind, btPort);
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the swarm's acceptor: a port left in TIME_WAIT is not taken
            s.bind(bt);
        } catch (IOException e) {
            throw refused("bt-port", bt, "TCP", e);
        }
    }

    private static IllegalArgumentException refused(String key, InetSocketAddress a, String protocol, IOException e) {
        String why = e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")
                ? "address already in use"
                : e instanceof BindException && String.valueOf(e.getMessage()).contains("assign")
                ? "not an address of this host"
                : String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("permission denied")
                ? "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)" : String.valueOf(e.getMessage());
        return new IllegalArgumentException(key + ": cannot listen on " + a.getAddress().getHostAddress() + ":"
                + a.getPort() + " (" + protocol + "): " + why, e);
    }
}
