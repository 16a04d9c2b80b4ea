package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * Large bodies go out from their variant's direct copy ({@link Variant#directBody()}): the bytes
 * on the wire are exactly the stored ones, the channel gets a direct buffer (so it copies nothing
 * per write), and HEAD, 304 and small bodies are unaffected. Every buffer is released (LeakGuard).
 */
class DirectBodyResponseTest {

    private static final byte[] BIG = random(300_000, 1);
    private static final byte[] BIG_GZ = random(Variant.DIRECT_MIN_BYTES + 5, 2);

    private EmbeddedFrontEnd wire;

    @AfterEach
    void closeClient() {
        if (wire != null) {
            wire.closeClient();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Representation large() {
        Variant identity = new Variant(Bytes.copyOf(BIG), null, Fixtures.signedHeaders(Fixtures.IDENTITY_TAG, "id"));
        Variant gzip = new Variant(Bytes.copyOf(BIG_GZ), "gzip", Fixtures.signedHeaders(Fixtures.GZIP_TAG, "gz"));
        // as the store and the origin's signer do, off the event loop
        identity.directBody();
        gzip.directBody();
        return new Representation(identity, gzip, 300, EmbeddedFrontEnd.NOW.minusSeconds(10),
                EmbeddedFrontEnd.NOW.plus(Duration.ofHours(1)));
    }

    private EmbeddedChannel serve(Representation representation) {
        wire = new EmbeddedFrontEnd(Fixtures.serving(representation));
        return wire.channel();
    }

    @Test
    void aLargeBodyArrivesByteForByte() {
        EmbeddedChannel channel = serve(large());
        Answer a = wire.send(Fixtures.get("/costmap")).answer();
        assertEquals(200, a.status());
        assertEquals(String.valueOf(BIG.length), a.header("content-length"));
        assertArrayEquals(BIG, a.body());
        FullHttpRequest gz = Fixtures.get("/costmap");
        gz.headers().set("accept-encoding", "gzip");
        Answer b = wire.send(gz).answer();
        assertEquals("gzip", b.header("content-encoding"));
        assertArrayEquals(BIG_GZ, b.body());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void theChannelIsHandedTheDirectCopyNotAHeapBuffer() {
        EmbeddedChannel channel = serve(large());
        channel.writeInbound(Fixtures.get("/costmap"));
        List<ByteBuf> written = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            written.add((ByteBuf) o);
        }
        try {
            ByteBuf body = written.get(written.size() - 1);
            assertTrue(body.isDirect(), "a heap buffer would be copied into direct memory on every write");
            assertEquals(BIG.length, body.readableBytes());
        } finally {
            written.forEach(ReferenceCountUtil::release);
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void manyAnswersShareOneCopyAndReleasingThemLeavesItIntact() {
        Representation r = large();
        EmbeddedChannel channel = serve(r);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(BIG, wire.send(Fixtures.get("/costmap")).answer().body(), "answer " + i);
        }
        assertTrue(r.identity().body().hasDirectCopy());
        assertArrayEquals(BIG, r.identity().body().toArray());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headOfALargeBodyHasItsLengthAndNoBody() {
        EmbeddedChannel channel = serve(large());
        Answer a = wire.send(Fixtures.request(HttpMethod.HEAD, "/costmap")).answer();
        assertEquals(200, a.status());
        assertEquals(String.valueOf(BIG.length), a.header("content-length"));
        assertEquals(0, a.body().length);
        assertArrayEquals(BIG, wire.send(Fixtures.get("/costmap")).answer().body(), "framing intact after HEAD");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void notModifiedForALargeBodyHasNoBody() {
        EmbeddedChannel channel = serve(large());
        FullHttpRequest get = Fixtures.get("/costmap");
        get.headers().set("if-none-match", Fixtures.IDENTITY_TAG);
        Answer a = wire.send(get).answer();
        assertEquals(304, a.status());
        assertNull(a.header("content-length"));
        assertEquals(0, a.body().length);
        assertArrayEquals(BIG, wire.send(Fixtures.get("/costmap")).answer().body(), "framing intact after 304");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aLargeBodyWhoseCopyNobodyMadeIsWrittenFromItsArrayAndNoCopyIsMadeOnTheEventLoop() {
        // a computed answer: written once, so copying it into direct memory would be waste
        Representation once = new Representation(new Variant(Bytes.copyOf(BIG), null,
                Fixtures.signedHeaders(Fixtures.IDENTITY_TAG, "id")), null, 300, EmbeddedFrontEnd.NOW.minusSeconds(10),
                EmbeddedFrontEnd.NOW.plus(Duration.ofHours(1)));
        EmbeddedChannel channel = serve(once);
        assertArrayEquals(BIG, wire.send(Fixtures.get("/costmap")).answer().body());
        assertFalse(once.identity().body().hasDirectCopy());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aSmallBodyIsWrittenFromItsArrayWithNoCopyMade() {
        Representation small = Fixtures.identityOnly();
        EmbeddedChannel channel = serve(small);
        assertEquals(Fixtures.JSON, wire.send(Fixtures.get("/networkmap")).answer().text());
        assertFalse(small.identity().body().hasDirectCopy());
        assertFalse(channel.finishAndReleaseAll());
    }
}
