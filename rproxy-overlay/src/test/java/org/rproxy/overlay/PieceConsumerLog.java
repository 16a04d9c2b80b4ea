package org.rproxy.overlay;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.slf4j.LoggerFactory;

/**
 * What bt's PieceConsumer logs (at TRACE, to which its logger is set) while this is open, for the
 * {@link NamespaceChecks} of blocks filed for one torrent and taken for another. Closing it stops
 * the capture.
 */
final class PieceConsumerLog implements AutoCloseable {
    private final Logger consumer = (Logger) LoggerFactory.getLogger("bt.torrent.messaging.PieceConsumer");
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    private PieceConsumerLog() {
        consumer.setLevel(Level.TRACE);
        log.start();
        consumer.addAppender(log);
    }

    /** Starts capturing. */
    static PieceConsumerLog capture() {
        return new PieceConsumerLog();
    }

    /** bt's PieceConsumer's lines of a block taken for another torrent's (its piece then failed), or found gone. */
    List<String> taken() {
        synchronized (log.list) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("Failed to verify piece") || m.contains("already been processed")).toList();
        }
    }

    @Override
    public void close() {
        consumer.detachAppender(log);
    }
}
