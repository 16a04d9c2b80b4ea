package org.rproxy.app;

import java.util.concurrent.CountDownLatch;

import ch.qos.logback.classic.LoggerContext;

import org.slf4j.LoggerFactory;

/**
 * How a running node ({@code rproxy origin}, {@code rproxy proxy} in either mode) waits to be
 * stopped: the main thread blocks for good, and the JVM's shutdown (Ctrl-C, SIGTERM) closes what
 * the command started. Stateless.
 */
final class NodeShutdown {

    private NodeShutdown() {
    }

    /**
     * Blocks the main thread for good; when the JVM is asked to stop (Ctrl-C, SIGTERM) the
     * shutdown hook closes {@code running}, and the JVM exits once that is done.
     */
    static void await(AutoCloseable running) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("rproxy: error while stopping: " + e);
            }
            // The node has stopped: write out what the asynchronous appenders (the access log) still hold.
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
                logging.stop();
            }
        }, "rproxy-shutdown"));
        new CountDownLatch(1).await();
    }
}
