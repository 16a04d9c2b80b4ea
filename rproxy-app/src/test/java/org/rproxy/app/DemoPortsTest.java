package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The demo keeps a preferred port that is free, replaces one that is taken, and never hands out one twice. */
class DemoPortsTest {

    @Test
    void aTakenPortIsReplacedAndAFreeOneKept() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Integer> ports = DemoPorts.choose(List.of(taken.getLocalPort(), free, free, 0));
            assertNotEquals(taken.getLocalPort(), ports.get(0));
            assertEquals(free, ports.get(1));
            assertEquals(4, ports.stream().distinct().count(), ports.toString());
        }
    }
}
