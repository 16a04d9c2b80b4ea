package org.rproxy.app;

import java.util.concurrent.CountDownLatch;

import ch.qos.logback.classic.LoggerContext;

import org.slf4j.LoggerFactory;

/**
 * How a running node ({@code rproxy origin}, {@code rproxy proxy} in either mode) waits to be
 * stopped: the main thread blocks for good, and the JVM's shutdown (Ctrl-C, SIGTERM) closes what
 * the command started. The hook is installed before the node starts ({@link #install}), and a stop
 * that comes while it starts waits for the start to end, then closes what it handed over as a
 * later stop does: installed only once the node ran, it missed a stop that came once the node
 * listened (a service manager's stop right after its start, a client already served), and the
 * JVM ended with the listener and its connections never closed and nothing said.
 */
final class NodeShutdown implements Runnable {

    /** Counted down once the start has ended: the node handed over, or the start failed. */
    private final CountDownLatch startEnded = new CountDownLatch(1);
    private volatile AutoCloseable running;

    private NodeShutdown() {
    }

    /**
     * Installs the shutdown hook of a node about to start; the command's start then ends in
     * {@link #await} or {@link #startEnded}.
     */
    static NodeShutdown install() {
        NodeShutdown shutdown = new NodeShutdown();
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "rproxy-shutdown"));
        return shutdown;
    }

    /**
     * Hands over the node started and blocks the main thread for good; when the JVM is asked to
     * stop, the shutdown hook closes {@code started}, and the JVM exits once that is done.
     */
    void await(AutoCloseable started) throws InterruptedException {
        running = started;
        startEnded.countDown();
        new CountDownLatch(1).await();
    }

    /**
     * Says that the start ended without a node handed over (it failed, and closed what it had
     * opened): a stop under way has nothing to wait for. Nothing once {@link #await} was called.
     */
    void startEnded() {
        startEnded.countDown();
    }

    /**
     * The hook: waits for a start under way to end (its steps are bounded: binding, reading and
     * signing the maps, a signing front's first read of its server by the request timeout), closes
     * the node handed over, then writes out what the asynchronous appenders (the access log) hold.
     */
    @Override
    public void run() {
        try {
            startEnded.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AutoCloseable node = running;
        if (node != null) {
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("rproxy: error while stopping: " + e);
            }
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
            logging.stop();
        }
    }
}
