package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The accounting of {@link UnfinishedRequest}'s places, one stream's pipeline on an
 * {@link EmbeddedChannel}, in each order its messages can come: the request's parts read at once
 * or apart, the stream gone (reset, its handler removed) before its last part, the server's stop
 * before and after an answer. Every place taken is given back exactly once, so a stream's way of
 * ending can neither leak a place (the node would refuse every new stream once all leaked) nor
 * give back one it did not take (the bound would loosen).
 */
class UnfinishedRequestTest {

    private final ConnectionLimit places = new ConnectionLimit(1);
    private final LongAdder refusals = new LongAdder();
    private EmbeddedChannel stream;

    @AfterEach
    void finish() {
        if (stream != null) {
            stream.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel stream() {
        stream = new EmbeddedChannel(new UnfinishedRequest(places, refusals));
        return stream;
    }

    private static DefaultHttpRequest head() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/stream");
    }

    private static DefaultHttpContent part() {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {'{'}));
    }

    private static DefaultLastHttpContent last() {
        return new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {'}'}));
    }

    /** Reads what went through to the next handler, releasing it. */
    private int passedOn(EmbeddedChannel s) {
        int n = 0;
        for (Object m; (m = s.readInbound()) != null; n++) {
            assertInstanceOf(HttpObject.class, m);
            ReferenceCountUtil.release(m);
        }
        return n;
    }

    @Test
    void aRequestCompleteInItsHeadTakesNoPlace() {
        EmbeddedChannel s = stream();
        s.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/doc"));
        assertEquals(0, places.open());
        assertEquals(1, passedOn(s));
    }

    @Test
    void theLastPartGivesThePlaceBackWhetherReadWithTheHeadOrApart() {
        EmbeddedChannel s = stream();
        s.writeInbound(head(), part(), last()); // one read: HEADERS and both DATA frames in one socket read
        assertEquals(0, places.open(), "given back as the last part passes");
        assertEquals(3, passedOn(s));

        EmbeddedChannel t = new EmbeddedChannel(new UnfinishedRequest(places, refusals));
        try {
            t.writeInbound(head());
            assertEquals(1, places.open(), "held while the body is coming");
            t.writeInbound(part());
            assertEquals(1, places.open());
            t.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT); // DATA(END_STREAM) without bytes
            assertEquals(0, places.open());
            t.close();
            assertEquals(0, places.open(), "not given back twice");
            assertEquals(3, passedOn(t));
        } finally {
            t.finishAndReleaseAll();
        }
    }

    @Test
    void aStreamGoneBeforeItsLastPartGivesThePlaceBackOnce() {
        EmbeddedChannel s = stream();
        s.writeInbound(head(), part());
        assertEquals(1, places.open());
        s.close(); // reset by its client: inactive, then its handlers removed
        assertEquals(0, places.open());

        EmbeddedChannel t = new EmbeddedChannel(new UnfinishedRequest(places, refusals));
        try {
            t.writeInbound(head());
            assertEquals(1, places.open());
            t.pipeline().remove(UnfinishedRequest.class);
            assertEquals(0, places.open(), "the handler removed before the last part");
            t.writeInbound(last());
            assertEquals(0, places.open());
        } finally {
            t.finishAndReleaseAll();
        }
        assertEquals(0, refusals.sum());
    }

    /**
     * The client's RST_STREAM comes down the stream's pipeline as an event, and the place goes
     * back with it, before the channel closes (a task run after the connection's read): a head
     * read in the same go as the reset finds the place. Failed when only the close gave it back.
     */
    @Test
    void aResetByTheClientGivesThePlaceBackAtOnce() {
        EmbeddedChannel s = stream();
        s.writeInbound(head(), part());
        assertEquals(1, places.open());
        s.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        assertEquals(0, places.open(), "given back as the reset is seen, the stream's channel still open");
        assertTrue(places.tryAcquire(), "the next stream's head has it");
        s.close();
        assertEquals(1, places.open(), "the close gives back nothing more");
        places.release();
    }

    @Test
    void withNoPlaceLeftTheStreamIsRefusedAndWhatItSendsDropped() {
        EmbeddedChannel held = new EmbeddedChannel(new UnfinishedRequest(places, refusals));
        try {
            held.writeInbound(head());
            EmbeddedChannel s = stream();
            DefaultLastHttpContent late = last();
            s.writeInbound(head());
            s.writeInbound(part());
            s.writeInbound(late);
            assertEquals(0, passedOn(s), "nothing of a refused stream reaches the service");
            assertEquals(0, late.refCnt(), "what it sent is released");
            Http2ResetFrame reset = assertInstanceOf(Http2ResetFrame.class, s.readOutbound());
            assertEquals(Http2Error.REFUSED_STREAM.code(), reset.errorCode());
            assertEquals(1, refusals.sum());
            s.close();
            assertEquals(1, places.open(), "a refused stream gives back no place it never had");
            held.writeInbound(last());
            assertEquals(0, places.open());
        } finally {
            held.finishAndReleaseAll();
        }
    }

    @Test
    void aStopRefusesAnUnansweredRequestStillArrivingAndPassesOnForAnAnsweredOne() {
        EmbeddedChannel s = stream();
        s.writeInbound(head());
        s.pipeline().fireUserEventTriggered(Drain.DRAIN);
        assertEquals(0, places.open(), "refused at the stop: its place given back");
        assertInstanceOf(Http2ResetFrame.class, s.readOutbound());
        s.writeInbound(last());
        assertEquals(1, passedOn(s), "only the head had gone on");
        s.close();
        assertEquals(0, places.open());

        EmbeddedChannel t = new EmbeddedChannel(new UnfinishedRequest(places, refusals));
        try {
            t.writeInbound(head());
            t.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE));
            assertInstanceOf(DefaultHttpResponse.class, t.readOutbound());
            t.pipeline().fireUserEventTriggered(Drain.DRAIN);
            assertNull(t.readOutbound(), "an answered stream is not reset");
            assertEquals(1, places.open(), "its body still coming holds the place");
            t.writeInbound(last());
            assertEquals(0, places.open());
            assertEquals(2, passedOn(t));
        } finally {
            t.finishAndReleaseAll();
        }
        assertEquals(0, refusals.sum(), "a stop's refusal is not one for want of a place");
    }
}
