package org.rproxy.core.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import org.slf4j.LoggerFactory;

/**
 * Log events captured from one logger, safe to read from the test thread while server,
 * watcher or event-loop threads keep logging.
 *
 * <p>Logback's {@code ListAppender} appends to a plain {@code ArrayList} under the appender's
 * own lock, so a test that streams over its list while another thread logs can fail with a
 * {@code ConcurrentModificationException}; this appender keeps a copy-on-write list instead.
 */
public final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Logger logger;

    private CapturedLogs(Logger logger) {
        this.logger = logger;
    }

    /** Starts capturing what {@code name}'s logger (and its children) log. */
    public static CapturedLogs of(String name) {
        CapturedLogs logs = new CapturedLogs((Logger) LoggerFactory.getLogger(name));
        logs.start();
        logs.logger.addAppender(logs);
        return logs;
    }

    /** Starts capturing what {@code type}'s logger logs. */
    public static CapturedLogs of(Class<?> type) {
        return of(type.getName());
    }

    /** Starts capturing everything, at the root logger. */
    public static CapturedLogs ofRoot() {
        return of(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    /** A snapshot of the events captured so far, oldest first. */
    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** The number of events captured so far. */
    public int count() {
        return events.size();
    }

    /** Waits until an event matching {@code wanted} has been captured, or fails after {@code timeout}. */
    public ILoggingEvent await(Predicate<ILoggingEvent> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (ILoggingEvent e : events) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no such log event within " + timeout + "; captured: "
                + events().stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    /** Waits until a message containing {@code part} has been logged. */
    public ILoggingEvent awaitMessage(String part, Duration timeout) throws InterruptedException {
        return await(e -> e.getFormattedMessage().contains(part), timeout);
    }

    /** Stops capturing. */
    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
