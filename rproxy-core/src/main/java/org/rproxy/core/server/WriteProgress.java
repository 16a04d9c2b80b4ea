package org.rproxy.core.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;
import io.netty.handler.logging.LogLevel;

/**
 * Whether the bytes of answers already written are still reaching the client, looked at once per
 * timeout period by {@link RequestDeadline}: a slow reader keeps its connection or stream for as
 * long as the bytes move, a stalled one gives it back (as nginx's {@code send_timeout}). One per
 * connection or stream, on its event loop.
 *
 * <p>On an HTTP/1.1 connection progress is bytes written to the socket: a message of the outbound buffer written out
 * whole ({@link SocketWrites}) or in part (a body is one message there, and the channel's writability does not
 * change until all of it is out), never the buffer's growth, which the node's own frames make too. An empty
 * buffer is progress too: nothing waits for the client, which has taken all it was given, and the
 * answer waits on the node (a {@link BodyPump} for the server's bound to drain).
 *
 * <p>An HTTP/2 stream has no outbound buffer of its own: its DATA waits in the connection's flow
 * controller, for the client's credit and then for the connection's socket. So a stream moves when
 * the client gave it credit ({@code WINDOW_UPDATE}, which it sends as it reads; {@link Credits}
 * counts them), or when its window is open and the connection's bytes reached its socket (a client
 * with a window larger than the answer gives no credit until it has read much of it, and the
 * bytes then wait only for the socket). A stream whose window stays shut does not live on another
 * stream's progress, nor on an empty buffer while the connection's own window is shut: a client
 * that opened its streams' windows and not the connection's takes the first 64 KB into its
 * socket, and the answers then wait in the flow controller for credit it never gives. Nor on bytes
 * reaching the socket while that window stays shut (open at neither look, and no connection credit
 * between them, {@link ConnectionCredit}): such a client that reads its socket and sends a PING now
 * and then takes only the acknowledgements, and its answers wait as before.
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

    /**
     * The messages of a connection written out to its socket ({@link SocketWrites}) and its current message's progress,
     * compared with the last look; or an outbound buffer with nothing in it. What the buffer holds is no measure: bytes
     * the node adds (acknowledgements of the client's PINGs) grow it while the client takes nothing.
     */
    private static final class Buffered extends WriteProgress {
        private final Channel channel;
        private final SocketWrites writes;
        private long seenWritten = Long.MIN_VALUE;
        private long seenProgress = -1;

        Buffered(Channel channel) {
            this.channel = channel;
            this.writes = SocketWrites.of(channel);
        }

        /** Bytes reached the socket since the last look: {@link #sent} says it, {@link #idle} whether anything waits. */
        private boolean sent;
        private boolean idle;

        @Override
        boolean movedSinceLastLook() {
            ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
            if (out == null) {
                sent = false;
                idle = false;
                return false; // closed
            }
            long written = writes.written(out);
            long progress = out.currentProgress(); // of the same message unless one was written out
            sent = written != seenWritten || progress != seenProgress;
            idle = out.totalPendingWriteBytes() == 0;
            seenWritten = written;
            seenProgress = progress;
            return sent || idle;
        }
    }

    /**
     * A stream's credit from the client; or, while its window is open, its connection's bytes reaching the socket (DATA
     * among them: the connection's window open at this look or the last, or credited between), or its connection's
     * buffer empty while the connection's window is open too (the answer then waits on the node). An empty buffer with
     * the connection's window shut is no progress: the client took what its window allowed and gave no credit since,
     * and the answers wait in the flow controller for it; nor are acknowledgements reaching the socket meanwhile.
     */
    static final class Stream extends WriteProgress {
        private final Http2Stream stream;
        private final Http2Stream connectionStream;
        private final Http2RemoteFlowController flow;
        private final Buffered connection;
        private final ConnectionCredit connectionCredit;
        private long credits;
        private long seenCredits;
        private long seenConnectionCredit;
        /** Whether the connection's window was open at the last look (so bytes sent since may be DATA). */
        private boolean wasOpen = true;
        private boolean connectionStalled;

        private Stream(Http2Stream stream, Http2Connection h2, Channel connection, ConnectionCredit connectionCredit) {
            this.stream = stream;
            this.connectionStream = h2.connectionStream();
            this.flow = h2.remote().flowController();
            this.connection = new Buffered(connection);
            this.connectionCredit = connectionCredit;
            this.seenConnectionCredit = connectionCredit.updates;
        }

        @Override
        boolean movedSinceLastLook() {
            boolean credited = credits != seenCredits;
            seenCredits = credits;
            boolean connectionCredited = connectionCredit.updates != seenConnectionCredit;
            seenConnectionCredit = connectionCredit.updates;
            connection.movedSinceLastLook();
            boolean connectionOpen = flow.windowSize(connectionStream) > 0;
            // bytes sent while the connection's window was shut from look to look were not DATA (PING and SETTINGS acks)
            boolean dataCouldGo = connectionOpen || wasOpen || connectionCredited;
            wasOpen = connectionOpen;
            boolean connectionMoved = connection.sent && dataCouldGo || connection.idle && connectionOpen;
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
        private final ConnectionCredit connectionCredit;
        private final Http2Connection.PropertyKey key;

        /** @param connectionCredit the connection's codec's ({@link ConnectionCredit}) */
        Credits(Http2Connection connection, ConnectionCredit connectionCredit) {
            this.connection = connection;
            this.connectionCredit = connectionCredit;
            this.key = connection.newKey();
        }

        /** The progress of a stream being served; on the connection's event loop. */
        WriteProgress track(Http2StreamChannel channel) {
            Http2Stream s = connection.stream(channel.stream().id());
            if (s == null) {
                return new Buffered(channel.parent()); // already gone: nothing of it will be written
            }
            Stream progress = new Stream(s, connection, channel.parent(), connectionCredit);
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

    /**
     * Counts the client's {@code WINDOW_UPDATE}s for the whole connection (stream 0): credit that lets
     * DATA go again while the connection's window is shut. The frame codec acts on them and hands
     * them to no handler, so they are seen only where frames are read, which a codec's frame logger
     * wraps; this one logs nothing. One per HTTP/2 connection, on its event loop.
     */
    static final class ConnectionCredit extends Http2FrameLogger {
        private long updates;

        ConnectionCredit() {
            super(LogLevel.TRACE, ConnectionCredit.class);
        }

        @Override
        public boolean isEnabled() {
            return false;
        }

        /**
         * Nothing: the one frame Netty's logger writes without asking {@link #isEnabled} first, so that
         * with {@code TRACE} on for this class's logger every SETTINGS acknowledgement, both ways, was a line.
         */
        @Override
        public void logSettingsAck(Direction direction, ChannelHandlerContext ctx) {
            // logs nothing
        }

        @Override
        public void logWindowsUpdate(Direction direction, ChannelHandlerContext ctx, int streamId, int increment) {
            if (direction == Direction.INBOUND && streamId == 0) {
                updates++;
            }
        }
    }
}
