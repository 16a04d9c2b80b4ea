package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCounted;

/**
 * A whole HTTP/1.1 response as bytes to write as they are: a head already encoded (a shared 200
 * head, {@link PreparedFields.SharedHead#encoded()}) and the body, a buffer or a region of a
 * spooled file. {@link Http1Codec}'s encoder writes the two in order and nothing else, where a
 * response object would have its head encoded again for every response.
 *
 * <p>Owns the body: its reference count is the body's, so whoever drops the message unwritten
 * releases the body with it. The head needs no release (a view of memory the garbage collector
 * frees).
 */
final class EncodedResponse implements ReferenceCounted {
    private final ByteBuf head;
    private final ReferenceCounted body;

    /** @param body a {@link ByteBuf} or a {@link FileRegion} */
    EncodedResponse(ByteBuf head, ReferenceCounted body) {
        this.head = requireNonNull(head, "head");
        if (!(body instanceof ByteBuf) && !(body instanceof FileRegion)) {
            throw new IllegalArgumentException("body: " + body + " (expected: a ByteBuf or a FileRegion)");
        }
        this.body = body;
    }

    ByteBuf head() {
        return head;
    }

    /** The body; its reference is the message's (whoever takes the body in its place releases it). */
    ReferenceCounted body() {
        return body;
    }

    @Override
    public int refCnt() {
        return body.refCnt();
    }

    @Override
    public EncodedResponse retain() {
        body.retain();
        return this;
    }

    @Override
    public EncodedResponse retain(int increment) {
        body.retain(increment);
        return this;
    }

    @Override
    public EncodedResponse touch() {
        body.touch();
        return this;
    }

    @Override
    public EncodedResponse touch(Object hint) {
        body.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return body.release();
    }

    @Override
    public boolean release(int decrement) {
        return body.release(decrement);
    }
}
