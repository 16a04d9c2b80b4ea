package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;

/**
 * Fuzzes the whole HTTP front end (protocol detection, HTTP/1.1 codec, deadlines,
 * {@link RequestAssembler}, {@link ExchangeHandler}, and the HTTP/2 pipeline when the bytes
 * start with its preface) on an {@link EmbeddedChannel} fed arbitrary bytes, in three reads so
 * that requests are cut at odd places. Limits are small so the fuzzer reaches them.
 *
 * <p>The contract: nothing throws out of the pipeline; no request gets more than one final
 * answer; no answer is a 500 (only 501 and 505 are allowed among the 5xx, for what the front end
 * does not implement) and every error answer is an ALTO error body of its path's dialect; once
 * the client goes quiet, the connection is closed by a deadline, so no input can keep it open;
 * and every buffer the connection allocated, and the input itself, is released (the class also
 * runs under {@link org.rproxy.core.testing.LeakGuard} with paranoid leak detection). Seeds:
 * {@code FrontEndFuzzTestInputs/<method>/}.
 */
class FrontEndFuzzTest {
    private static final FrontEndConfig CONFIG = new FrontEndConfig("127.0.0.1", 0, 256, 1024, 512,
            Duration.ofSeconds(60), Duration.ofSeconds(10), 16, 8, 0,
            path -> path.startsWith("/xml") ? Dialect.XML : Dialect.JSON, null);
    /** Past every deadline of {@link #CONFIG} (idle, first byte, HTTP/2 grace). */
    private static final long QUIET_MILLIS = Duration.ofMinutes(5).toMillis();

    private static final AltoService SERVICE = request -> CompletableFuture.completedFuture(
            request.method().equals("POST")
                    ? Reply.error(AltoError.invalidValue("body", request.body().asUtf8(), "refused"), Dialect.JSON)
                    : Reply.ok(Fixtures.identityOnly()));

    @FuzzTest(maxDuration = "5m")
    void everyRequestIsAnsweredOnceOrClosedAndNothingLeaks(byte[] input) {
        fedAndChecked(input);
    }

    /** The harness sees what it checks: three pipelined requests, three answers, and the idle close. */
    @Test
    void pipelinedSeedIsAnsweredThreeTimes() throws IOException {
        String path = "FrontEndFuzzTestInputs/everyRequestIsAnsweredOnceOrClosedAndNothingLeaks/pipelined";
        try (InputStream in = FrontEndFuzzTest.class.getResourceAsStream(path)) {
            assertNotNull(in, path);
            Tap tap = fedAndChecked(in.readAllBytes());
            assertEquals(3, tap.requests);
            assertEquals(3, tap.finalAnswers);
        }
    }

    private static Tap fedAndChecked(byte[] input) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new AltoChannelInitializer(CONFIG, SERVICE, RequestObserver.noop(),
                new ResponseRenderer(EmbeddedFrontEnd.CLOCK), new ConnectionLimit(CONFIG.maxConnections())));
        Tap tap = new Tap();
        channel.pipeline().addAfter(AltoChannelInitializer.HTTP_CODEC, "tap", tap);

        // Not wrappedBuffer: for no bytes it answers the shared empty buffer, which is never released.
        ByteBuf wire = Unpooled.buffer(input.length).writeBytes(input);
        int third = input.length / 3;
        for (int[] piece : new int[][] {{0, third}, {third, third}, {2 * third, input.length - 2 * third}}) {
            if (channel.isOpen()) {
                channel.writeInbound(wire.retainedSlice(piece[0], piece[1]));
            }
            drain(channel);
        }
        wire.release();
        channel.advanceTimeBy(QUIET_MILLIS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        drain(channel);

        assertEquals(List.of(), tap.wrongAnswers);
        assertTrue(tap.finalAnswers <= tap.requests, () -> tap.finalAnswers + " answers to " + tap.requests + " requests");
        assertFalse(channel.isOpen(), "a quiet client's connection stays open");
        channel.checkException();
        channel.finishAndReleaseAll();
        assertEquals(0, wire.refCnt(), "input not released");
        alloc.assertAllReleased();
        return tap;
    }

    private static void drain(EmbeddedChannel channel) {
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        for (Object o; (o = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    /** Sits right after the HTTP/1.1 codec: counts request heads going in and checks answers going out. */
    private static final class Tap extends ChannelDuplexHandler {
        final List<String> wrongAnswers = new ArrayList<>();
        int requests;
        int finalAnswers;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                requests++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse r && r.status().code() >= 200) {
                finalAnswers++;
                int status = r.status().code();
                String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
                if (status >= 500 && status != 501 && status != 505) {
                    wrongAnswers.add("a server error: " + r);
                } else if (status >= 400 && !MediaTypes.ERROR.equals(type) && !MediaTypes.XML.equals(type)) {
                    wrongAnswers.add("an error that is no ALTO error: " + r);
                }
            }
            ctx.write(msg, promise);
        }
    }

    /** The connection's allocator, remembering every buffer so that the test can see it was released. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf track(ByteBuf buf) {
            allocated.add(buf);
            return buf;
        }

        void assertAllReleased() {
            for (ByteBuf b : allocated) {
                assertEquals(0, b.refCnt(), () -> "a buffer of " + b.capacity() + " bytes was not released");
            }
        }
    }
}
