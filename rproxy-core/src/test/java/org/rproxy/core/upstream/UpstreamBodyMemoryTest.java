package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
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
 * How much direct memory the upstream client holds for one large response: the bytes are copied
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
}
