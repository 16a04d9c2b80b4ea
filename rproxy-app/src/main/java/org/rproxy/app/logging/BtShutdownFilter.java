package org.rproxy.app.logging;

import org.slf4j.Marker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the two errors bt 1.10 logs, with a stack trace, when something of an overlay peer's
 * shuts under it, and only those:
 * <ul>
 * <li>every time the peer stops: its acceptor thread, blocked in {@code accept}, reporting that
 * the listening channel was closed (by bt's own shutdown) and that it "will stop accepting
 * incoming connections" (the I/O failure of a channel still open passes);</li>
 * <li>a message its dispatcher writes to a connection closed meanwhile ({@code MessageDispatcher}'s
 * "Error when writing message" with {@code IllegalStateException: Failed to send message: [Have]}):
 * the dispatcher checks that a connection is open, asks the torrent's worker for its next
 * message (a {@code Have} for a piece just verified) and writes it, and a connection closed in
 * between (by a peer dropping the torrent it refused, or by the other end) has released its
 * buffer; bt drops the message, and the connection it was for is gone. 2 to 5 a run of the
 * harness's {@code overlay} scenario, nothing an operator can act on. bt's other dispatcher
 * errors (reading, a write's I/O failure) pass.</li>
 * </ul>
 * Named in the logging configurations ({@code conf/logback.xml}, {@code conf/logback-json.xml},
 * the harness's). The overlay's own peers no longer log the first (its {@code QuietAcceptor} ends
 * bt's acceptor without it, so an application embedding a peer, which has no such filter, gets
 * none); it is still dropped here should another bt runtime log it. Stateless.
 */
public final class BtShutdownFilter extends TurboFilter {
    static final String LOGGER = "bt.net.IncomingConnectionListener";
    static final String DISPATCHER = "bt.net.MessageDispatcher";
    private static final String CLOSED = "has been closed, will stop accepting incoming connections";
    /** bt's {@code MessageDispatcher} line for a write that failed. */
    private static final String WRITING = "Error when writing message";
    /** bt's {@code SocketChannelHandler.send} when the message could not be put in the connection's buffer (released once closed). */
    private static final String NOT_SENT = "Failed to send message: ";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (t == null || level != Level.ERROR || t.getMessage() == null) {
            return FilterReply.NEUTRAL;
        }
        if (LOGGER.equals(logger.getName()) && t.getMessage().contains(CLOSED)) {
            return FilterReply.DENY;
        }
        if (DISPATCHER.equals(logger.getName()) && WRITING.equals(format) && t instanceof IllegalStateException
                && t.getMessage().startsWith(NOT_SENT)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
