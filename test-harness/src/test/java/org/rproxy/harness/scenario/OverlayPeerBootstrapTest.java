package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.core.testing.RefusedPort;

/**
 * An overlay peer's bootstrap is tried again after an outage, as an app would: in a 400-peer run
 * on two starved cores, 22 peers' directories missed the client's 10 s timeout once, and each of
 * those peers stayed out of the run.
 */
class OverlayPeerBootstrapTest {

    private static ClientOptions options(int port) {
        return ClientOptions.of(URI.create("http://127.0.0.1:" + port), KeyPin.ofKeyId("A".repeat(43))).withTimeout(Duration.ofMillis(300));
    }

    @Test
    void aBootstrapThatTimedOutIsTriedAgain() throws Exception {
        // a listener that never answers: the connection is made (the kernel's backlog), the request waits
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger retried = new AtomicInteger();
            String got = OverlayPeer.retrying(() -> {
                if (calls.incrementAndGet() == 1) {
                    AltoClient.bootstrap(options(silent.getLocalPort())).close();
                }
                return "bootstrapped";
            }, OverlayPeer.BOOTSTRAP_TRIES, Duration.ZERO, retried::incrementAndGet);
            assertEquals("bootstrapped", got);
            assertEquals(2, calls.get());
            assertEquals(1, retried.get());
        }
    }

    @Test
    void anOriginNotReachableIsTriedUpToTheLimitThenTheOutageIsThrown() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int closed = refused.port();
            AtomicInteger retried = new AtomicInteger();
            assertThrows(ClientException.Unreachable.class, () -> OverlayPeer.retrying(() -> AltoClient.bootstrap(options(closed)), 3,
                    Duration.ZERO, retried::incrementAndGet));
            assertEquals(2, retried.get());
        }
    }

    @Test
    void anotherFailureIsNotTriedAgain() {
        AtomicInteger retried = new AtomicInteger();
        assertThrows(IllegalStateException.class, () -> OverlayPeer.retrying(() -> {
            throw new IllegalStateException("not an outage");
        }, 3, Duration.ZERO, retried::incrementAndGet));
        assertEquals(0, retried.get());
    }
}
