package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

/**
 * A port another process holds stops the overlay's start with the key and the reason (on
 * loopback here: {@link OverlayConfig} itself takes only global addresses, which the DHT needs).
 */
class PortProbeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void aTakenUdpPortIsTheDhtPort() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            int free = freeTcpPort();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PortProbe.check(LOOPBACK, taken.getLocalPort(), free));
            assertEquals("dht-port: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (UDP): address already in use",
                    e.getMessage());
        }
    }

    @Test
    void aTakenTcpPortIsTheBitTorrentPort() throws Exception {
        int freeUdp;
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            freeUdp = udp.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PortProbe.check(LOOPBACK, freeUdp, taken.getLocalPort()));
            assertEquals("bt-port: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (TCP): address already in use",
                    e.getMessage());
        }
    }

    @Test
    void freePortsPassAndAreLeftFree() throws Exception {
        int tcp = freeTcpPort();
        int udp;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            udp = s.getLocalPort();
        }
        PortProbe.check(LOOPBACK, udp, tcp);
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(LOOPBACK, udp));
             ServerSocket againTcp = new ServerSocket(tcp, 1, LOOPBACK)) {
            assertEquals(udp, again.getLocalPort());
            assertEquals(tcp, againTcp.getLocalPort());
        }
    }

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }
}
