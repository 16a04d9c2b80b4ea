package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * The bounded set of keep-alive connections through which all simulated viewers talk to their
 * targets: {@code connections} per target, spread over a few event-loop threads. A million
 * viewers are a million small state machines taking turns on these connections, not a million
 * sockets or threads. An {@code https} target's connections are the same, each with TLS under
 * its HTTP/1.1. {@link #close} closes every connection and stops the threads.
 */
final class ClientPool implements AutoCloseable {
    private final EventLoopGroup group;
    private final List<Target> targets = new ArrayList<>();

    /** The connections to one URL. */
    static final class Target {
        final int index;
        final String base;
        final String basePath;
        private final List<Connection> connections;
        private final AtomicLong next = new AtomicLong();

        Target(int index, String base, String basePath, List<Connection> connections) {
            this.index = index;
            this.base = base;
            this.basePath = basePath;
            this.connections = connections;
        }

        /** Round-robin: each arriving viewer gets the next connection and keeps it. */
        Connection assign() {
            return connections.get((int) (next.getAndIncrement() % connections.size()));
        }

        /** The request target for an absolute path of the ALTO server (a target URL may carry a base path). */
        String path(String absolutePath) {
            return basePath + absolutePath;
        }

        /**
         * The request target for a URI of the directory (read at {@code path("/directory")}), as an
         * RFC 3986 client resolves it: an absolute path as it is, without the target URL's path; a
         * relative reference beside the directory, under it.
         */
        String resolve(String reference) {
            return reference.startsWith("/") ? reference : path("/" + reference);
        }
    }

    /** @param tls TLS towards the {@code https} targets, or null when there is none */
    ClientPool(List<URI> urls, TargetTls tls, int connectionsPerTarget, int pipelineDepth, int ioThreads, Duration timeout,
               Stats stats) {
        requireNonNull(urls, "urls");
        if (connectionsPerTarget < 1) {
            throw new IllegalArgumentException("--connections: " + connectionsPerTarget + " (expected: >= 1)");
        }
        group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("harness-client", true),
                NioIoHandler.newFactory());
        for (URI url : urls) {
            boolean https = LoadConfig.https(url);
            TargetTls targetTls = https ? requireNonNull(tls, "tls for " + url) : null;
            int port = url.getPort() < 0 ? (https ? 443 : 80) : url.getPort();
            // an IPv6 literal is bracketed in a URL and in Host, not in an address or a certificate
            String name = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
            InetSocketAddress addr = new InetSocketAddress(name, port);
            String host = url.getHost() + (url.getPort() < 0 ? "" : ":" + port);
            List<Connection> conns = new ArrayList<>();
            for (int i = 0; i < connectionsPerTarget; i++) {
                conns.add(new Connection(group.next(), addr, host, targetTls, name, pipelineDepth, timeout.toNanos(), stats));
            }
            String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
            targets.add(new Target(targets.size(), url.toString(), path, conns));
        }
    }

    List<Target> targets() {
        return targets;
    }

    /**
     * Opens every connection and waits until each connect has ended (established, refused or
     * timed out by the connect timeout), so that a run's clock starts on a ready pool.
     */
    void open() throws InterruptedException {
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        targets.forEach(t -> t.connections.forEach(c -> ends.add(c.open())));
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                    .get(Wire.CONNECT_TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // a connect that did not end in time is the run's to meet (its viewers fail or wait), not set-up's
        }
    }

    /**
     * Waits until every event loop has run what it was running or had queued: after a flag that
     * callbacks read has been set, every callback that read it unset has ended.
     */
    void quiesce() {
        for (EventExecutor loop : group) {
            loop.submit(() -> { }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Closes every connection, waits (a few seconds at most) until they are closed, then stops the event loops. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        targets.forEach(t -> t.connections.forEach(c -> closed.add(c.close())));
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the loops' shutdown closes what is left
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
