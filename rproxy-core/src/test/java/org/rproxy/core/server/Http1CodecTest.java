package org.rproxy.core.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import org.rproxy.core.store.Variant;

/** {@link Http1Codec}'s encoder writing an {@link EncodedResponse}: what goes out, and what is released. */
class Http1CodecTest {
    private static final String HEAD = "HTTP/1.1 200 OK\r\ncontent-type: application/alto-directory+json\r\ncontent-length: ";

    private static ByteBuf sharedHead(int length) {
        byte[] b = (HEAD + length + "\r\n\r\n").getBytes(US_ASCII);
        // as a shared head is kept: direct memory the garbage collector frees, never released
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(b.length).put(b).flip()));
    }

    @Test
    void aSmallBodyFromTheHeapGoesOutBehindItsHeadInOneDirectBuffer() {
        byte[] bytes = new byte[2659];
        Arrays.fill(bytes, (byte) 'd');
        ByteBuf head = sharedHead(bytes.length);
        ByteBuf body = Unpooled.wrappedBuffer(bytes);
        EmbeddedChannel ch = new EmbeddedChannel(new Http1Codec.Encoder());
        try {
            assertTrue(ch.writeOutbound(new EncodedResponse(head.duplicate(), body)));
            ByteBuf out = ch.readOutbound();
            try {
                assertTrue(out.isDirect(), "the channel writes it without copying it again");
                assertEquals(HEAD + bytes.length + "\r\n\r\n" + new String(bytes, US_ASCII), out.toString(US_ASCII));
            } finally {
                out.release();
            }
            assertNull(ch.readOutbound(), "one buffer, not two");
            assertEquals(0, body.refCnt(), "the body was released with the message");
            assertEquals(0, head.readerIndex(), "the shared head was read through a view of its own");
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aBodyOfTheSizeThatHasADirectCopyAndADirectBodyGoOutAsTheyAre() {
        for (ByteBuf body : new ByteBuf[] {Unpooled.wrappedBuffer(new byte[Variant.DIRECT_MIN_BYTES]),
                Unpooled.directBuffer(100).writeZero(100)}) {
            ByteBuf head = sharedHead(body.readableBytes());
            EmbeddedChannel ch = new EmbeddedChannel(new Http1Codec.Encoder());
            try {
                assertTrue(ch.writeOutbound(new EncodedResponse(head.duplicate(), body)));
                ByteBuf first = ch.readOutbound();
                ByteBuf second = ch.readOutbound();
                assertEquals(HEAD + body.readableBytes() + "\r\n\r\n", first.toString(US_ASCII));
                assertSame(body, second, "the body itself, not a copy");
                assertFalse(second.refCnt() == 0, "still to be written");
                second.release();
                assertEquals(0, body.refCnt());
            } finally {
                ch.finishAndReleaseAll();
            }
        }
    }
}
