package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * How the upstream client takes a response's body: how much direct memory it holds for one large
 * response, and bodies of unknown length (chunked, read to the close) taken whole or refused as
 * they pass the limit. For the first: the bytes are copied
 * to the heap as they arrive and each network buffer given back, so the peak is a few read
 * buffers, not the body (which an aggregating client holds in direct memory until the copy).
 * Measured with an allocator that counts, not with time.
 */
class UpstreamBodyMemoryTest {
    private static final int BODY = 8 << 20;

    /** Unpooled direct buffers, with the most in use at once (sampled at each allocation, when use grows). */
    private static final class PeakCounting extends AbstractByteBufAllocator {
        private final UnpooledByteBufAllocator inner = new UnpooledByteBufAllocator(true);
        private final AtomicLong peak = new AtomicLong();

        PeakCounting() {
            super(true);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return inner.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = inner.directBuffer(initialCapacity, maxCapacity);
            peak.accumulateAndGet(inner.metric().usedDirectMemory(), Math::max);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        long inUse() {
            return inner.metric().usedDirectMemory();
        }
    }

    @Test
    void aLargeBodyIsHeldOnceOnTheHeapNotAlsoInDirectMemory() throws Exception {
        byte[] body = new byte[BODY];
        new Random(7).nextBytes(body);
        Instant now = Instant.now();
        Variant v = new Variant(Bytes.wrap(body), null, List.of(new HeaderField("content-type", "application/octet-stream")));
        Representation r = new Representation(v, null, 60, now, now.plusSeconds(3600));
        PeakCounting alloc = new PeakCounting();
        try (AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0),
                request -> CompletableFuture.completedFuture(Reply.ok(r)));
             UpstreamClient client = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1",
                     server.localAddress().getPort(), null, 1, Duration.ofSeconds(5), Duration.ofSeconds(30),
                     2 * BODY, 1), alloc)) {
            UpstreamResponse got = client.send(UpstreamRequest.get("/large", List.of())).get(60, TimeUnit.SECONDS);
            assertEquals(200, got.status());
            assertArrayEquals(body, got.body().unsafeArray());
            long peak = alloc.peak.get();
            assertTrue(peak < BODY / 8, "direct memory held at most at once while receiving " + BODY
                    + " bytes: " + peak + " (expected: a few read buffers, not the body)");
            assertTrue(alloc.inUse() < BODY / 8, "direct memory still held after the response: " + alloc.inUse());
        }
    }

    @Test
    void aChunkedBodyGrowsItsArrayAndIsTrimmedToItsLength() throws Exception {
        byte[] body = new byte[100_003];
        new Random(11).nextBytes(body);
        try (OneResponse up = new OneResponse(chunked(body, 4096, false));
             UpstreamClient client = client(up.port(), 1 << 20)) {
            UpstreamResponse got = client.send(UpstreamRequest.get("/chunked", List.of())).get(30, TimeUnit.SECONDS);
            assertEquals(200, got.status());
            assertArrayEquals(body, got.body().unsafeArray());
        }
    }

    @Test
    void aBodyReadToTheCloseIsTakenWhole() throws Exception {
        byte[] body = new byte[20_000];
        new Random(13).nextBytes(body);
        try (OneResponse up = new OneResponse(chunked(body, 0, true));
             UpstreamClient client = client(up.port(), 1 << 20)) {
            UpstreamResponse got = client.send(UpstreamRequest.get("/to-close", List.of())).get(30, TimeUnit.SECONDS);
            assertArrayEquals(body, got.body().unsafeArray());
        }
    }

    @Test
    void aChunkedBodyPassingTheLimitIsRefusedAsItPassesIt() throws Exception {
        try (OneResponse up = new OneResponse(chunked(new byte[50_000], 4096, false));
             UpstreamClient client = client(up.port(), 30_000)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.send(UpstreamRequest.get("/too-long", List.of())).get(30, TimeUnit.SECONDS));
            UpstreamException u = (UpstreamException) e.getCause();
            assertTrue(u.getMessage().contains("over 30000 bytes") && u.getMessage().contains("127.0.0.1:" + up.port()),
                    u.getMessage());
        }
    }

    private static UpstreamClient client(int port, int maxBody) {
        return UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", port, null, 1, Duration.ofSeconds(5),
                Duration.ofSeconds(30), maxBody, 1));
    }

    /** A response carrying {@code body} in chunks of {@code chunk} bytes, or (chunk 0) read to the close. */
    private static byte[] chunked(byte[] body, int chunk, boolean toClose) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (toClose) {
            out.write("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            return out.toByteArray();
        }
        out.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        for (int at = 0; at < body.length; at += chunk) {
            int n = Math.min(chunk, body.length - at);
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, at, n);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** A loopback server answering the first request of each connection with the given bytes, then closing. */
    private static final class OneResponse implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());

        OneResponse(byte[] response) throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        InputStream in = s.getInputStream();
                        int matched = 0;
                        while (matched < 4) { // to the end of the request head
                            int c = in.read();
                            if (c < 0) {
                                break;
                            }
                            matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : c == '\r' ? 1 : 0;
                        }
                        OutputStream out = s.getOutputStream();
                        out.write(response);
                        out.flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "one-response");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
