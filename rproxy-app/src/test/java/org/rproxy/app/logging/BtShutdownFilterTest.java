package org.rproxy.app.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
}
