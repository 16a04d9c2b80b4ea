package org.rproxy.app.logging;

import org.slf4j.Marker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the one error bt 1.10 logs, with a stack trace, every time an overlay peer stops: its
 * acceptor thread, blocked in {@code accept}, reporting that the listening channel was closed
 * (by bt's own shutdown) and that it "will stop accepting incoming connections". Every other
 * line of that logger passes, the I/O failure of a channel still open included. Named in the
 * logging configurations ({@code conf/logback.xml}, {@code conf/logback-json.xml}, the
 * harness's). Stateless.
 */
public final class BtShutdownFilter extends TurboFilter {
    static final String LOGGER = "bt.net.IncomingConnectionListener";
    private static final String CLOSED = "has been closed, will stop accepting incoming connections";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (t != null && level == Level.ERROR && LOGGER.equals(logger.getName()) && t.getMessage() != null
                && t.getMessage().contains(CLOSED)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
