package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import org.junit.jupiter.api.Test;
import org.rproxy.core.log.RateLimitedLog;

/**
 * What a request body costs the node while it arrives: the bytes received, not the length
 * declared, and each byte held is taken from the connection's {@link BodyBudget} and given back
 * on every way the request ends (complete, refused, channel gone). Capacities and the budget's
 * accounting, not heap measurements.
 */
class BodyAccumulatorTest {

    private static final int MIB = 1024 * 1024;

    /** A server's budget without a bound. */
    private static NodeBodyBudget unbounded() {
        return new NodeBodyBudget(Long.MAX_VALUE);
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }

    @Test
    void aDeclaredLengthHoldsNothingBeforeTheBodyArrivesThenGrowsWithIt() {
        BodyBudget budget = new BodyBudget(Long.MAX_VALUE, unbounded());
        BodyAccumulator body = new BodyAccumulator(MIB, MIB, budget);
        assertEquals(0, body.capacity(), "a head declaring 1 MiB allocates nothing");
        assertEquals(BodyAccumulator.Outcome.TAKEN, body.append(bytes(100)));
        assertEquals(BodyAccumulator.INITIAL, body.capacity(), "the first piece: 16 KiB, not the declared 1 MiB");
        int sent = 100;
        while (sent < MIB) {
            int n = Math.min(16 * 1024, MIB - sent);
            assertEquals(BodyAccumulator.Outcome.TAKEN, body.append(bytes(n)));
            sent += n;
            assertTrue(body.capacity() <= Math.max(BodyAccumulator.INITIAL, 2L * sent), sent + " bytes held in " + body.capacity());
            assertEquals(body.capacity(), budget.held(), "every byte of the array is taken from the budget");
        }
        assertEquals(MIB, body.capacity(), "never past the declared length");
        assertEquals(MIB, body.toBytes().length());
        body.release();
        assertEquals(0, budget.held());
        body.release();
        assertEquals(0, budget.held(), "a second release gives back nothing");
    }

    @Test
    void aSmallDeclaredLengthGetsAnArrayOfItsSize() {
        BodyAccumulator body = new BodyAccumulator(MIB, 300, new BodyBudget(Long.MAX_VALUE, unbounded()));
        body.append(bytes(300));
        assertEquals(300, body.capacity());
    }

    @Test
    void aChunkedBodyGrowsUpToTheLimitAndIsRefusedPastIt() {
        BodyAccumulator body = new BodyAccumulator(10_000, -1, new BodyBudget(Long.MAX_VALUE, unbounded()));
        assertEquals(0, body.capacity());
        assertEquals(BodyAccumulator.Outcome.TAKEN, body.append(bytes(10)));
        assertEquals(4096, body.capacity());
        assertEquals(BodyAccumulator.Outcome.TAKEN, body.append(bytes(9_990)));
        assertEquals(10_000, body.capacity(), "capped at the limit");
        assertEquals(BodyAccumulator.Outcome.TOO_LARGE, body.append(bytes(1)));
        assertEquals(10_000, body.size());
    }

    @Test
    void aPieceTheBudgetHasNoRoomForIsNotAppended() {
        BodyBudget budget = new BodyBudget(BodyAccumulator.INITIAL + 100, unbounded());
        BodyAccumulator first = new BodyAccumulator(MIB, MIB, budget);
        assertEquals(BodyAccumulator.Outcome.TAKEN, first.append(bytes(1)));
        BodyAccumulator second = new BodyAccumulator(MIB, MIB, budget);
        assertEquals(BodyAccumulator.Outcome.CONNECTION_FULL, second.append(bytes(1)));
        assertEquals(0, second.capacity());
        assertEquals(BodyAccumulator.Outcome.TAKEN, new BodyAccumulator(MIB, 100, budget).append(bytes(100)),
                "a body that fits in what is left is taken");
        assertEquals(BodyAccumulator.Outcome.CONNECTION_FULL, first.append(bytes(BodyAccumulator.INITIAL)), "nor may one grow past it");
        assertEquals(1, first.size());
        first.release();
        assertEquals(100, budget.held());
        assertEquals(BodyBudget.Room.TAKEN, budget.take((int) (budget.limit() - 100)));
        assertEquals(BodyBudget.Room.CONNECTION_FULL, budget.room());
    }

    @Test
    void aConnectionsBudgetFitsOneLargestBody() {
        assertEquals(BodyBudget.PER_CONNECTION, BodyBudget.perConnection(MIB, unbounded()).limit());
        assertEquals(64L * MIB, BodyBudget.perConnection(64 * MIB, unbounded()).limit());
    }

    @Test
    void everyConnectionsBodiesTakeFromTheServersBudgetToo() {
        NodeBodyBudget node = new NodeBodyBudget(2L * BodyAccumulator.INITIAL);
        BodyBudget http1 = BodyBudget.perConnection(MIB, node);
        BodyBudget http2 = BodyBudget.perConnection(MIB, node);
        BodyAccumulator a = new BodyAccumulator(MIB, MIB, http1);
        BodyAccumulator b = new BodyAccumulator(MIB, MIB, http2);
        assertEquals(BodyAccumulator.Outcome.TAKEN, a.append(bytes(1)));
        assertEquals(BodyAccumulator.Outcome.TAKEN, b.append(bytes(1)));
        assertEquals(2L * BodyAccumulator.INITIAL, node.held());
        assertEquals(BodyBudget.Room.NODE_FULL, http2.room(), "the connection has room, the server has not");
        BodyAccumulator c = new BodyAccumulator(MIB, MIB, BodyBudget.perConnection(MIB, node));
        assertEquals(BodyAccumulator.Outcome.NODE_FULL, c.append(bytes(1)));
        assertEquals(0, c.capacity(), "nothing taken from anyone");
        assertEquals(BodyAccumulator.INITIAL, http2.held());
        a.release();
        assertEquals(BodyAccumulator.INITIAL, node.held());
        assertEquals(BodyAccumulator.Outcome.TAKEN, c.append(bytes(1)), "room again once a body gives its bytes back");
        b.release();
        c.release();
        assertEquals(0, node.held());
        assertEquals(0, http1.held() + http2.held());
    }

    /** The assembler of one stream, on an embedded channel, with the connection's budget shared. */
    private static EmbeddedChannel stream(BodyBudget budget, List<Object> out) {
        FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0);
        AltoService service = request -> CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip()));
        return new EmbeddedChannel(new RequestAssembler(config, service,
                new RateLimitedLog(java.time.Duration.ofSeconds(10)), budget, new java.util.concurrent.atomic.LongAdder()),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        out.add(msg);
                    }
                });
    }

    private static HttpRequest post(int declared) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/q");
        r.headers().set("host", "a").set("content-type", "application/json").set("content-length", declared);
        return r;
    }

    @Test
    void theAssemblerGivesTheBytesBackOnEveryWayARequestEnds() {
        BodyBudget budget = BodyBudget.perConnection(MIB, unbounded());
        List<Object> out = new ArrayList<>();
        EmbeddedChannel complete = stream(budget, out);
        EmbeddedChannel gone = stream(budget, out);
        EmbeddedChannel tooLarge = stream(budget, out);

        complete.writeInbound(post(MIB));
        gone.writeInbound(post(MIB));
        HttpRequest chunked = post(0);
        chunked.headers().remove("content-length").set("transfer-encoding", "chunked");
        tooLarge.writeInbound(chunked);
        assertEquals(0, budget.held(), "heads alone hold nothing");

        complete.writeInbound(new DefaultHttpContent(bytes(1000)));
        gone.writeInbound(new DefaultHttpContent(bytes(1000)));
        assertEquals(2L * BodyAccumulator.INITIAL, budget.held());

        tooLarge.writeInbound(new DefaultHttpContent(bytes(1000)));
        assertEquals(2L * BodyAccumulator.INITIAL + 4096, budget.held());
        tooLarge.writeInbound(new DefaultHttpContent(bytes(MIB)));
        assertEquals(413, assertInstanceOf(Exchange.Refusal.class, out.remove(0)).error().httpStatus());
        assertEquals(2L * BodyAccumulator.INITIAL, budget.held(), "a refused body gives its bytes back");

        gone.close(); // a stream reset, or a connection closed, mid-body
        assertEquals(BodyAccumulator.INITIAL, budget.held());

        complete.writeInbound(new DefaultLastHttpContent(bytes(MIB - 1000)));
        Exchange.Call call = assertInstanceOf(Exchange.Call.class, out.remove(0));
        assertEquals(MIB, budget.held(), "a complete body stays counted while its request waits for its turn");
        call.release(); // its answer handed on (ExchangeHandler)
        call.release();
        assertEquals(0, budget.held(), "given back once, however often released");

        EmbeddedChannel refused = stream(budget, out);
        refused.writeInbound(post(MIB));
        budget.take((int) budget.limit());
        refused.writeInbound(new DefaultHttpContent(bytes(1)));
        Exchange.Refusal r = assertInstanceOf(Exchange.Refusal.class, out.remove(0));
        assertEquals(503, r.error().httpStatus());
        assertTrue(r.close(), "the rest of its body is not read");

        EmbeddedChannel late = stream(budget, out);
        late.writeInbound(post(10));
        assertEquals(503, assertInstanceOf(Exchange.Refusal.class, out.remove(0)).error().httpStatus(),
                "a body starting while the budget is spent is refused at its head");
        EmbeddedChannel noBody = stream(budget, out);
        noBody.writeInbound(post(0).setMethod(HttpMethod.GET));
        noBody.writeInbound(new DefaultLastHttpContent());
        assertInstanceOf(Exchange.Call.class, out.remove(0), "a request without a body does not need the budget");
        assertFalse(complete.finishAndReleaseAll() | gone.finishAndReleaseAll() | tooLarge.finishAndReleaseAll()
                | refused.finishAndReleaseAll() | late.finishAndReleaseAll() | noBody.finishAndReleaseAll());
    }
}
