package org.rproxy.core.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;

/**
 * Whether the bytes of answers already written are still reaching the client, looked at once per
 * timeout period by {@link RequestDeadline}: a slow reader keeps its connection or stream for as
 * long as the bytes move, a stalled one gives it back (as nginx's {@code send_timeout}). One per
 * connection or stream, on its event loop.
 *
 * <p>On an HTTP/1.1 connection progress is read off the channel's outbound buffer (a body is one
 * message there, and the channel's writability does not change until all of it is out). An empty
 * buffer is progress too: nothing waits for the client, which has taken all it was given, and the
 * answer waits on the node (a {@link BodyPump} for the server's bound to drain).
 *
 * <p>An HTTP/2 stream has no outbound buffer of its own: its DATA waits in the connection's flow
 * controller, for the client's credit and then for the connection's socket. So a stream moves when
 * the client gave it credit ({@code WINDOW_UPDATE}, which it sends as it reads; {@link Credits}
 * counts them), or when its window is open and the connection's outbound buffer moved (a client
 * with a window larger than the answer gives no credit until it has read much of it, and the
 * bytes then wait only for the socket). A stream whose window stays shut does not live on another
 * stream's progress.
 */
abstract class WriteProgress {

    /** Whether bytes went out since the last look (the first look sets the baseline). */
    abstract boolean movedSinceLastLook();

    /**
     * Whether, at the last look, a stream's whole connection had not moved either: bytes waited in
     * its outbound buffer and not one went out since the look before. Then the client reads none of
     * its streams, and every other answer on it waits as this one did. Never for an HTTP/1.1
     * connection, whose own stall is the one looked at.
     */
    boolean connectionStalled() {
        return false;
    }

    /** The progress of an HTTP/1.1 connection: its outbound buffer's. */
    static WriteProgress of(Channel connection) {
        return new Buffered(connection);
    }

    /** An outbound buffer's pending bytes and its current message's progress, compared with the last look. */
    private static final class Buffered extends WriteProgress {
        private final Channel channel;
        private long seenPending = -1;
        private long seenProgress = -1;

        Buffered(Channel channel) {
            this.channel = channel;
        }

        @Override
        boolean movedSinceLastLook() {
            ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
            if (out == null) {
                return false; // closed
            }
            long pending = out.totalPendingWriteBytes();
            long progress = out.currentProgress();
            boolean moved = pending != seenPending || progress != seenProgress || pending == 0;
            seenPending = pending;
            seenProgress = progress;
            return moved;
        }
    }

    /** A stream's credit from the client, or its connection's progress while its window is open. */
    static final class Stream extends WriteProgress {
        private final Http2Stream stream;
        private final Http2RemoteFlowController flow;
        private final Buffered connection;
        private long credits;
        private long seenCredits;
        private boolean connectionStalled;

        private Stream(Http2Stream stream, Http2RemoteFlowController flow, Channel connection) {
            this.stream = stream;
            this.flow = flow;
            this.connection = new Buffered(connection);
        }

        @Override
        boolean movedSinceLastLook() {
            boolean credited = credits != seenCredits;
            seenCredits = credits;
            boolean connectionMoved = connection.movedSinceLastLook();
            connectionStalled = !connectionMoved;
            return credited || connectionMoved && flow.windowSize(stream) > 0;
        }

        @Override
        boolean connectionStalled() {
            return connectionStalled;
        }
    }

    /**
     * One per HTTP/2 connection, between its frame codec and its multiplexer (which drops
     * {@code WINDOW_UPDATE}s): counts each served stream's credit, and makes the streams'
     * {@link Stream progress}.
     */
    static final class Credits extends ChannelInboundHandlerAdapter {
        private final Http2Connection connection;
        private final Http2Connection.PropertyKey key;

        Credits(Http2Connection connection) {
            this.connection = connection;
            this.key = connection.newKey();
        }

        /** The progress of a stream being served; on the connection's event loop. */
        WriteProgress track(Http2StreamChannel channel) {
            Http2Stream s = connection.stream(channel.stream().id());
            if (s == null) {
                return new Buffered(channel.parent()); // already gone: nothing of it will be written
            }
            Stream progress = new Stream(s, connection.remote().flowController(), channel.parent());
            s.setProperty(key, progress);
            return progress;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2WindowUpdateFrame update && update.stream() != null) {
                Http2Stream s = connection.stream(update.stream().id());
                Stream progress = s == null ? null : s.getProperty(key);
                if (progress != null) {
                    progress.credits++;
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
