package org.rproxy.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.rproxy.core.server.AccessLog;
import org.slf4j.LoggerFactory;

import picocli.CommandLine.Option;

/**
 * {@code --access-log} on {@code rproxy origin} and {@code rproxy proxy} (one definition for both,
 * a mixin): turns the access log ({@link AccessLog#LOGGER}) on at INFO, as
 * {@code RPROXY_ACCESS_LOG=INFO} does through the shipped Logback configurations, whose appenders
 * (standard output, asynchronous) then write it. Applied once on the main thread before the node
 * starts.
 */
final class AccessLogSwitch {

    @Option(names = "--access-log",
            description = "Log one line per response to standard output (logger rproxy.access;"
                    + " as RPROXY_ACCESS_LOG=INFO).")
    boolean asked;

    /** Turns the access log on when {@code --access-log} was given. */
    void apply() {
        if (asked && LoggerFactory.getLogger(AccessLog.LOGGER) instanceof Logger logger) {
            logger.setLevel(Level.INFO);
        }
    }
}
