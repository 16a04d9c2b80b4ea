package org.rproxy.overlay;

import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import lbms.plugins.mldht.kad.DHT;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, in a DHT node's start, until mldht holds the node's UDP socket. mldht opens it on a
 * thread of its own after its start returns, and a socket it cannot open it only logs: the node
 * ran without one and never joined, its start having said nothing. Now such a start fails,
 * naming the address and port and the kernel's reason; and a start returns with the port held,
 * so that the {@link PortProbe} of a node started next on the same {@code dht-port} finds it
 * taken (mldht binds with {@code SO_REUSEADDR}: two of its sockets would share the port, each
 * getting part of the datagrams). It polls (every 10 ms, at most {@link #WAIT_MILLIS}): mldht
 * announces no bind (its server-added notification is package-private and comes before the
 * channel is registered). On the starting thread, never an event loop. And, in a node's
 * close, waits until its port is free again ({@link #awaitReleased}). Stateless.
 */
final class DhtSocket {
    /** How long a start waits for mldht's socket. */
    static final long WAIT_MILLIS = 5_000;
    /** How long a stopped node's close waits for mldht to let go of its UDP port. */
    static final long RELEASE_MILLIS = 3_000;
    private static final Logger log = LoggerFactory.getLogger(DhtSocket.class);

    private DhtSocket() {
    }

    /**
     * Returns once {@code dht} holds a UDP socket on {@code at}'s port; else runs {@code stop} (which
     * closes the node) and throws.
     *
     * @throws UncheckedIOException {@code "dht-port: no DHT socket on HOST:PORT (UDP) within 5 s: REASON"}
     */
    static void await(DHT dht, InetSocketAddress at, Runnable stop) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!bound(dht, at.getPort())) {
            if (System.nanoTime() - deadline > 0 || !dht.isRunning()) {
                stop.run();
                throw failed("no DHT socket on " + at.getAddress().getHostAddress() + ":" + at.getPort()
                        + " (UDP) within " + WAIT_MILLIS / 1000 + " s: " + why(at));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.run();
                throw failed("interrupted while waiting for the DHT socket");
            }
        }
    }

    /** The failure, its cause saying the same (the command line prints a cause's message alone). */
    private static UncheckedIOException failed(String why) {
        return new UncheckedIOException("dht-port: " + why, new SocketException("dht-port: " + why));
    }

    /** Whether one of the channels mldht's selector holds is a UDP socket bound to {@code port}. */
    private static boolean bound(DHT dht, int port) {
        List<SelectionKey> keys;
        try {
            keys = new ArrayList<>(dht.getConnectionManager().getSelector().keys());
        } catch (ConcurrentModificationException | NullPointerException changing) {
            return false; // the selector thread is registering it right now; asked again shortly
        }
        for (SelectionKey k : keys) {
            try {
                if (k.channel() instanceof DatagramChannel c && c.getLocalAddress() instanceof InetSocketAddress a
                        && a.getPort() == port) {
                    return true;
                }
            } catch (java.io.IOException closed) {
                // a channel closed meanwhile: not the node's socket
            }
        }
        return false;
    }

    /** Why {@code at} cannot be bound, as the kernel says when asked now. */
    private static String why(SocketAddress at) {
        try (DatagramSocket probe = new DatagramSocket(null)) {
            probe.bind(at);
            return "mldht opened none (no address of this host it would use; see its log)";
        } catch (SocketException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /**
     * Waits, at most {@value #RELEASE_MILLIS} ms, until {@code socket} (a stopped node's) can be
     * bound again: mldht's stop closes its channel, but the descriptor goes only when its
     * selector thread next deregisters it, so a node started right after on the same port (a
     * restart in the same process) would find it taken.
     */
    static void awaitReleased(InetSocketAddress socket) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELEASE_MILLIS);
        while (true) {
            try (DatagramSocket probe = new DatagramSocket(null)) {
                probe.bind(socket);
                return;
            } catch (SocketException held) {
                if (System.nanoTime() - deadline > 0) {
                    log.debug("the DHT's port {} is still held {} ms after its stop", socket, RELEASE_MILLIS);
                    return;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
