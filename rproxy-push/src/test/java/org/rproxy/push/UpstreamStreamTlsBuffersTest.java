package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.testing.HeldBytes.held;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.SingleThreadEventExecutor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.testing.CutTlsUpstream;
import org.rproxy.core.testing.HeldBytes;
import org.rproxy.core.testing.CutTlsUpstream.Cut;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * Every buffer of the push feed's stream connection over TLS is given back, however the stream
 * ends: the upstream closing or resetting it, or going silent until the read timeout, with half a
 * TLS record of the stream in the connection's TLS handler; the feed closing it while half a record
 * waits, or while its reading is paused; a handshake refused. The connection takes its buffers from
 * an allocator that counts the bytes handed out and not had back; once the stream has ended that
 * count returns to zero, and stays there when the event loop is shut down.
 */
class UpstreamStreamTlsBuffersTest {
    private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            + "transfer-encoding: chunked\r\n\r\n").getBytes(US_ASCII);

    @TempDir
    static Path dir;
    private static TestCertificates cert;
    private static TestCertificates stranger;

    @BeforeAll
    static void certificates() throws Exception {
        cert = TestCertificates.make(dir, "upstream");
        stranger = TestCertificates.make(dir, "stranger");
    }

    /** One chunk of 64 KB of comment lines: records of the stream large enough to be cut. */
    private static byte[] stream() {
        String comments = ":" + "x".repeat(1022) + "\n";
        String data = comments.repeat(64);
        return (Integer.toHexString(data.length()) + "\r\n" + data + "\r\n").getBytes(US_ASCII);
    }

    /** Records what the stream told, in order; pauses reading at {@code opened} when asked. */
    private static UpstreamStream.Listener recorder(BlockingQueue<String> told, AtomicReference<UpstreamStream> pauseAtOpening) {
        return new UpstreamStream.Listener() {
            @Override
            public void opened() {
                told.add("opened");
                UpstreamStream s = pauseAtOpening.get();
                if (s != null) {
                    s.pause();
                }
            }

            @Override
            public void bytes(byte[] data) {
                told.add("bytes");
            }

            @Override
            public void refused(AltoError error) {
                told.add("refused " + error);
            }

            @Override
            public void closed(StreamEnd end) {
                told.add("closed " + end.reason());
            }
        };
    }

    /** Waits for the stream's end, and returns why it ended. */
    private static String awaitClosed(BlockingQueue<String> told) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String t = told.poll(100, TimeUnit.MILLISECONDS);
            if (t != null && t.startsWith("closed ")) {
                return t.substring("closed ".length());
            }
        }
        throw new AssertionError("the stream did not end");
    }

    private static void awaitNothingHeld(UnpooledByteBufAllocator alloc, String why) throws InterruptedException {
        HeldBytes.awaitNone(alloc);
        assertEquals(0, held(alloc), "bytes still held by the connection after the stream ended (" + why + ")");
    }

    /**
     * Opens a stream through {@code upstream}, lets {@code during} act on it, and checks that once
     * it ended its connection held nothing, and nothing after the event loop stopped.
     */
    private static String endsHoldingNothing(int port, TestCertificates trusted, StreamAction during,
                                             boolean pauseAtOpening) throws Exception {
        return endsHoldingNothing(port, trusted, during, pauseAtOpening, Duration.ofSeconds(20));
    }

    private static String endsHoldingNothing(int port, TestCertificates trusted, StreamAction during,
                                             boolean pauseAtOpening, Duration readTimeout) throws Exception {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> told = new LinkedBlockingQueue<>();
        AtomicReference<UpstreamStream> pausing = new AtomicReference<>();
        String why;
        try {
            UpstreamStream s = UpstreamStream.open(group, URI.create("https://127.0.0.1:" + port + "/updates"),
                    Tls.client(trusted.cert()), "{}".getBytes(US_ASCII), readTimeout, recorder(told, pausing),
                    alloc);
            if (pauseAtOpening) {
                pausing.set(s);
            }
            during.act(s, alloc);
            why = awaitClosed(told);
            awaitNothingHeld(alloc, why);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertEquals(0, held(alloc), "bytes held after the event loop stopped");
        return why;
    }

    private interface StreamAction {
        void act(UpstreamStream stream, UnpooledByteBufAllocator alloc) throws Exception;
    }

    @Test
    void anUpstreamClosingInTheMiddleOfARecord() throws Exception {
        try (CutTlsUpstream up = new CutTlsUpstream(cert, HEAD, stream(), Cut.CLOSE)) {
            String why = endsHoldingNothing(up.port(), cert, (s, alloc) -> { }, false);
            assertEquals("closed by the upstream", why);
        }
    }

    @Test
    void anUpstreamResettingInTheMiddleOfARecord() throws Exception {
        try (CutTlsUpstream up = new CutTlsUpstream(cert, HEAD, stream(), Cut.RESET)) {
            String why = endsHoldingNothing(up.port(), cert, (s, alloc) -> { }, false);
            assertNotNull(why);
        }
    }

    @Test
    void anUpstreamSilentInTheMiddleOfARecordUntilTheReadTimeout() throws Exception {
        try (CutTlsUpstream up = new CutTlsUpstream(cert, HEAD, stream(), Cut.STALL)) {
            String why = endsHoldingNothing(up.port(), cert, (s, alloc) -> { }, false, Duration.ofSeconds(2));
            assertTrue(why.contains("within the read timeout"), why);
        }
    }

    @Test
    void theFeedClosingTheStreamWhileHalfARecordWaits() throws Exception {
        try (CutTlsUpstream up = new CutTlsUpstream(cert, HEAD, stream(), Cut.STALL)) {
            endsHoldingNothing(up.port(), cert, (s, alloc) -> {
                up.awaitCut();
                HeldBytes.awaitSome(alloc);
                assertTrue(held(alloc) > 0, "the connection holds the half record it received");
                s.close();
            }, false);
        }
    }

    @Test
    void theFeedClosingAPausedStream() throws Exception {
        try (CutTlsUpstream up = new CutTlsUpstream(cert, HEAD, stream(), Cut.STALL)) {
            endsHoldingNothing(up.port(), cert, (s, alloc) -> {
                up.awaitCut();
                s.close();
            }, true);
        }
    }

    /**
     * A stream still open when the feed's network closes (its feed did not close it first) is
     * closed with it, and told so: it was left to the event loop's shutdown, which in Netty 4.2,
     * with no quiet period, ends without closing the connections still registered when the request
     * comes while the loop runs its tasks (see the upstream client's UpstreamTlsBuffersTest). The
     * test holds the loop in a task (started before the network closes) until the shutdown is
     * requested or another task comes (the closing of the connection), so no timing decides which
     * way the loop goes.
     */
    @Test
    void aStreamStillOpenWhenTheNetworkClosesIsClosedWithIt() throws Exception {
        try (CutTlsUpstream up = new CutTlsUpstream(cert, HEAD, stream(), Cut.STALL)) {
            URI uri = URI.create("https://127.0.0.1:" + up.port() + "/updates");
            FeedNetwork network = new FeedNetwork(PushFeedConfig.of(uri).withCa(cert.cert()), Runnable::run);
            BlockingQueue<String> told = new LinkedBlockingQueue<>();
            boolean closedInTime;
            try {
                network.open(uri, network.tls, "{}".getBytes(US_ASCII), Duration.ofSeconds(30),
                        recorder(told, new AtomicReference<>()));
                up.awaitCut();
                assertEquals("opened", told.poll(10, TimeUnit.SECONDS));
                SingleThreadEventExecutor loop = (SingleThreadEventExecutor) network.group.next();
                CountDownLatch holding = new CountDownLatch(1);
                loop.execute(() -> {
                    holding.countDown();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    boolean met = false;
                    while (!met && System.nanoTime() < deadline) { // no sleep, no wait: BlockHound would count it
                        met = loop.isShuttingDown() || loop.pendingTasks() > 0;
                    }
                });
                assertTrue(holding.await(10, TimeUnit.SECONDS), "the loop runs the holding task");
            } finally {
                network.close();
            }
            String why = told.poll(10, TimeUnit.SECONDS);
            assertTrue(why != null && why.startsWith("closed "), "the stream was told it closed: " + why);
        }
    }

    @Test
    void anUpstreamWhoseCertificateIsNotTrusted() throws Exception {
        try (CutTlsUpstream up = new CutTlsUpstream(cert, HEAD, stream(), Cut.NONE)) {
            String why = endsHoldingNothing(up.port(), stranger, (s, alloc) -> { }, false);
            assertTrue(why.startsWith("the server's certificate is not accepted: "), why);
        }
    }
}
