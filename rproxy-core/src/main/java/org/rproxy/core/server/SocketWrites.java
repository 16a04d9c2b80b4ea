package org.rproxy.core.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * How many of a connection's messages the transport has written to its socket in full: what
 * {@link WriteProgress} takes for the client taking bytes. The outbound buffer's size is no such
 * measure: it grows with every frame the node answers on its own (an HTTP/2 PING or SETTINGS
 * acknowledgement), so a client that read nothing and sent a PING now and then looked as if it
 * read. Netty keeps no count of what left the buffer, and a listener on each write's promise
 * would cost an allocation per write (a void promise made real); so this step, first in the
 * pipeline (every message reaches the transport through it), counts the messages it hands on and
 * those handed on before the last flush. The buffer's flushed entries not yet written
 * ({@link ChannelOutboundBuffer#size()}) are the rest of those, so the ones written out are their
 * difference. A write the transport refuses (the channel closed) is counted as handed on; by then
 * nothing asks. One per connection, on its event loop.
 */
final class SocketWrites extends ChannelOutboundHandlerAdapter {

    static final String NAME = "socket-writes";

    /** Messages handed on to the transport. */
    private long handed;
    /** Of those, the ones handed on before the last flush: the buffer has marked them flushed. */
    private long flushed;

    /**
     * The connection's count: the one first in its pipeline, or a new one put there (a pipeline
     * built without it, as a test's may be, counts from then on: what was already buffered counts as
     * it leaves, since only changes are compared).
     */
    static SocketWrites of(Channel connection) {
        SocketWrites writes = connection.pipeline().get(SocketWrites.class);
        if (writes == null) {
            writes = new SocketWrites();
            connection.pipeline().addFirst(NAME, writes);
        }
        return writes;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        handed++;
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        flushed = handed;
        ctx.flush();
    }

    /**
     * A count that grows by one for every message written out whole to the socket (its absolute
     * value means nothing); {@code out} is the connection's outbound buffer.
     */
    long written(ChannelOutboundBuffer out) {
        return flushed - out.size();
    }
}
