package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.testing.HeldLookups;
import org.rproxy.core.upstream.NameLookup;

/**
 * The stream's host is looked up off the push I/O loop: a lookup that hangs (held on a latch, as
 * a slow resolver would) leaves the loop running its other work, and the attempt ends at the
 * opening's deadline (the read timeout) naming the host; a lookup that answers leads to the
 * upstream, a plain socket server on a loopback port, asked with the name.
 */
class UpstreamStreamNameLookupTest {
    private static final String NAME = "feed.test";
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CountDownLatch asked = new CountDownLatch(1);
    private final CountDownLatch answer = new CountDownLatch(1);
    private final BlockingQueue<String> closed = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        answer.countDown();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Looks {@link #NAME} up as loopback, once {@link #answer} is counted down. */
    private NameLookup heldLookup() {
        return HeldLookups.loopback(NAME, asked, answer);
    }

    private void open(int port, Duration readTimeout) {
        UpstreamStream.open(group, URI.create("http://" + NAME + ":" + port + "/updates"), null,
                "{}".getBytes(US_ASCII), readTimeout, StreamListeners.closedInto(closed), null, heldLookup());
    }

    @Test
    void aLookupThatHangsLeavesTheLoopFreeAndTheAttemptEndsAtTheDeadlineNamingTheHost() throws Exception {
        open(1, Duration.ofMillis(500));
        assertTrue(asked.await(10, TimeUnit.SECONDS), "the name was never looked up");

        CountDownLatch ran = new CountDownLatch(1);
        group.next().execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the event loop ran nothing while the name was looked up");

        assertEquals("connect failed: no address for " + NAME + " within 500 ms (its name lookup has not ended)",
                closed.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aNameLookedUpOffTheLoopLeadsToTheUpstreamAskedWithThatName() throws Exception {
        answer.countDown();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            open(server.getLocalPort(), Duration.ofSeconds(10));
            try (Socket s = server.accept()) {
                assertEquals(NAME + ":" + server.getLocalPort(), hostOf(s));
            }
            assertNotNull(closed.poll(10, TimeUnit.SECONDS), "the stream closed by the upstream was never told so");
        }
    }

    /** The Host field of the request read from {@code s}. */
    static String hostOf(Socket s) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
        String host = null;
        for (String line = r.readLine(); line != null && !line.isEmpty(); line = r.readLine()) {
            if (line.toLowerCase(Locale.ROOT).startsWith("host:")) {
                host = line.substring(5).trim();
            }
        }
        return host;
    }
}
