package org.rproxy.core.server;

import io.netty.channel.DefaultFileRegion;

import org.rproxy.core.store.SpooledBody;

/**
 * A response body sent by the kernel from a spooled file (sendfile on NIO): one region per
 * response over the spool's shared, open channel. Netty releases the region when the write ends,
 * well or not (done, failed, or dropped with a closed connection); that gives the response's
 * reference on the {@link SpooledBody} back instead of closing the channel, which other responses
 * are still reading. Created and released on a connection's event loop.
 */
final class SpooledRegion extends DefaultFileRegion {
    private final SpooledBody body;

    /** Takes over one reference on {@code body}, already retained for this response. */
    SpooledRegion(SpooledBody body) {
        super(body.channel(), 0, body.length());
        this.body = body;
    }

    @Override
    protected void deallocate() {
        body.release();
    }
}
