package org.rproxy.app.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The logging configurations the jar carries, loaded as logback loads them. */
class BtShutdownFilterTest {

    @ParameterizedTest
    @ValueSource(strings = {"logback.xml", "logback-json.xml"})
    void onlyTheAcceptorsLineAtShutdownIsDropped(String config) throws Exception {
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            URL url = getClass().getClassLoader().getResource(config);
            joran.doConfigure(url);
            ListAppender<ILoggingEvent> seen = new ListAppender<>();
            seen.setContext(context);
            seen.start();
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);

            Logger bt = context.getLogger(BtShutdownFilter.LOGGER);
            bt.error("Unexpected error", new RuntimeException("Incoming channel @ /127.0.0.1:6891 has been closed,"
                    + " will stop accepting incoming connections..."));
            bt.error("Unexpected error", new RuntimeException("Unexpected I/O error when listening to the incoming channel"
                    + " @ /127.0.0.1:6891, will stop accepting incoming connections...", new java.io.IOException("Too many open files")));
            context.getLogger("org.rproxy.overlay.Swarm").error("other", new RuntimeException("has been closed,"
                    + " will stop accepting incoming connections"));

            List<String> lines = seen.list.stream().map(e -> e.getLoggerName() + ": " + e.getThrowableProxy().getMessage())
                    .toList();
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("Unexpected I/O error"), lines.toString());
            assertTrue(lines.get(1).startsWith("org.rproxy.overlay.Swarm"), lines.toString());
        } finally {
            context.stop();
        }
    }

    /**
     * bt's message dispatcher, writing a message (a {@code Have} once a piece is verified) to a
     * connection closed meanwhile (a peer dropping the torrent, or the other end hanging up),
     * logs a stack trace at ERROR: 2 to 5 a run of the harness's overlay scenario. That line
     * does not reach the operator; the dispatcher's other errors do.
     */
    @ParameterizedTest
    @ValueSource(strings = {"logback.xml", "logback-json.xml"})
    void aMessageToAConnectionClosedMeanwhileIsNotAnError(String config) throws Exception {
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            joran.doConfigure(getClass().getClassLoader().getResource(config));
            ListAppender<ILoggingEvent> seen = new ListAppender<>();
            seen.setContext(context);
            seen.start();
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);

            Logger dispatcher = context.getLogger(BtShutdownFilter.DISPATCHER);
            // as bt.net.MessageDispatcher logs it (SocketChannelHandler.send's exception)
            dispatcher.error("Error when writing message", new IllegalStateException("Failed to send message: [Have]"));
            dispatcher.error("Error when writing message", new RuntimeException("Unexpected I/O error",
                    new java.io.IOException("Broken pipe")));
            dispatcher.error("Error when reading message from peer connection: /100.64.0.1:7001",
                    new IllegalStateException("Failed to send message: [Have]"));

            List<String> lines = seen.list.stream().map(e -> e.getFormattedMessage() + ": " + e.getThrowableProxy().getMessage())
                    .toList();
            assertEquals(List.of("Error when writing message: Unexpected I/O error",
                    "Error when reading message from peer connection: /100.64.0.1:7001: Failed to send message: [Have]"), lines);
        } finally {
            context.stop();
        }
    }

    /**
     * A client breaking HTTP/2 flow control makes Netty log a stack trace at ERROR per stream,
     * without a throttle: that logger is off, and Netty's others still log warnings.
     */
    @ParameterizedTest
    @ValueSource(strings = {"logback.xml", "logback-json.xml"})
    void nettysHttp2ListenerErrorsAreOff(String config) throws Exception {
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            joran.doConfigure(getClass().getClassLoader().getResource(config));
            ListAppender<ILoggingEvent> seen = new ListAppender<>();
            seen.setContext(context);
            seen.start();
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);

            Logger http2 = context.getLogger("io.netty.handler.codec.http2.DefaultHttp2Connection");
            assertEquals(Level.OFF, http2.getEffectiveLevel());
            http2.error("Caught Throwable from listener onStreamClosed.",
                    new RuntimeException("Attempting to return too many bytes for stream 0"));
            context.getLogger("io.netty.handler.codec.http2.Http2ConnectionHandler").warn("other");
            context.getLogger("io.netty.channel.DefaultChannelPipeline").info("info");

            List<String> lines = seen.list.stream().map(ILoggingEvent::getLoggerName).toList();
            assertEquals(List.of("io.netty.handler.codec.http2.Http2ConnectionHandler"), lines);
        } finally {
            context.stop();
        }
    }
}
