package org.rproxy.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.rproxy.core.server.AccessLog;
import org.slf4j.LoggerFactory;

/**
 * {@code --access-log} on {@code rproxy origin} and {@code rproxy proxy}: turns the access log
 * ({@link AccessLog#LOGGER}) on at INFO, as {@code RPROXY_ACCESS_LOG=INFO} does through the
 * shipped Logback configurations, whose appenders (standard output, asynchronous) then write it.
 * Called once on the main thread before the node starts.
 */
final class AccessLogSwitch {

    private AccessLogSwitch() {
    }

    static void on() {
        if (LoggerFactory.getLogger(AccessLog.LOGGER) instanceof Logger logger) {
            logger.setLevel(Level.INFO);
        }
    }
}
