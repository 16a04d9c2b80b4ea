package org.rproxy.harness.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A child process of {@link IdleFlood} that opens a share of the idle connections: one process
 * cannot hold 20,000 sockets under a 20,000 open-files limit next to the JVM's own descriptors.
 * It opens {@code COUNT} connections evenly over {@code RAMP_MS}, sends nothing (or, in
 * {@code partial} mode, the start of a request line), and keeps every connection the server
 * keeps, until {@code RAMP_MS + HOLD_MS} have passed or its standard input ends (the harness
 * stopped). A connection the server closes is closed here too, as a client would, and not
 * reopened. Connections take their source addresses in turn from {@code SOURCES} (loopback
 * addresses such as {@code 127.0.10.1}), each with a port chosen when it is bound: one address's
 * ephemeral ports are too few for 20,000 connections to one server, and the kernel's search for a
 * free one slows every {@code connect} long before they run out. Prints its counts once a second and a {@code done} line at the end, as
 * {@code key=value} pairs. One thread: a selector loop over non-blocking channels.
 *
 * <p>Usage: {@code IdleClients HOST PORT COUNT RAMP_MS HOLD_MS silent|partial SOURCES}
 */
public final class IdleClients {
    /** What a {@code partial} connection sends: a request line that never ends. */
    static final byte[] PARTIAL = "GET /directory HT".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress target;
    private final boolean partial;
    private final InetSocketAddress[] sources;
    private final ByteBuffer in = ByteBuffer.allocateDirect(4096);
    private long connected;
    private long failed;
    private long answered503;
    private long answeredOther;
    private long closedByServer;
    private long reset;
    private long slowest503Micros;

    private IdleClients(InetSocketAddress target, boolean partial, InetSocketAddress[] sources) {
        this.target = target;
        this.partial = partial;
        this.sources = sources;
    }

    /** When a connection was established, and whether its first bytes were seen. */
    private static final class Conn {
        final long connectedAt;
        boolean answered;

        Conn(long connectedAt) {
            this.connectedAt = connectedAt;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 7 || !(args[5].equals("silent") || args[5].equals("partial"))) {
            System.err.println("usage: IdleClients HOST PORT COUNT RAMP_MS HOLD_MS silent|partial SOURCES");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        InetSocketAddress[] sources = Arrays.stream(args[6].split(",")).map(a -> new InetSocketAddress(a, 0))
                .toArray(InetSocketAddress[]::new);
        new IdleClients(target, args[5].equals("partial"), sources)
                .run(Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
    }

    private void run(int count, long rampMillis, long holdMillis) throws IOException {
        try (Selector selector = Selector.open()) {
            Thread watcher = new Thread(() -> awaitEndOfInput(selector), "idle-clients-stdin");
            watcher.setDaemon(true);
            watcher.start();
            long start = System.nanoTime();
            long ramp = TimeUnit.MILLISECONDS.toNanos(Math.max(1, rampMillis));
            long end = start + ramp + TimeUnit.MILLISECONDS.toNanos(holdMillis);
            long nextPrint = start + TimeUnit.SECONDS.toNanos(1);
            int opened = 0;
            while (System.nanoTime() < end && watcher.isAlive()) {
                long elapsed = System.nanoTime() - start;
                long due = elapsed >= ramp ? count : count * elapsed / ramp;
                for (; opened < due; opened++) {
                    open(selector, sources[opened % sources.length]);
                }
                selector.select(5);
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextPrint) {
                    print("progress", stillOpen(selector));
                    nextPrint += TimeUnit.SECONDS.toNanos(1);
                }
            }
            int open = stillOpen(selector);
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            print("done", open);
        }
    }

    private void open(Selector selector, InetSocketAddress source) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.bind(source);
            if (ch.connect(target)) {
                established(ch.register(selector, 0));
            } else {
                ch.register(selector, SelectionKey.OP_CONNECT);
            }
        } catch (IOException e) {
            failed++;
            closeQuietly(ch);
        }
    }

    private void handle(SelectionKey key) {
        SocketChannel ch = (SocketChannel) key.channel();
        try {
            if (key.isConnectable()) {
                ch.finishConnect();
                established(key);
            } else if (key.isReadable()) {
                read(key, ch);
            }
        } catch (IOException e) {
            if (key.attachment() == null) {
                failed++;
            } else {
                reset++;
            }
            closeQuietly(ch);
        }
    }

    private void established(SelectionKey key) throws IOException {
        connected++;
        key.attach(new Conn(System.nanoTime()));
        key.interestOps(SelectionKey.OP_READ);
        if (partial) {
            ((SocketChannel) key.channel()).write(ByteBuffer.wrap(PARTIAL));
        }
    }

    private void read(SelectionKey key, SocketChannel ch) throws IOException {
        Conn c = (Conn) key.attachment();
        in.clear();
        int n = ch.read(in);
        if (n < 0) {
            closedByServer++;
            ch.close();
            return;
        }
        if (n > 0 && !c.answered) {
            c.answered = true;
            byte[] head = new byte[Math.min(n, 12)];
            in.flip().get(head);
            if (new String(head, StandardCharsets.US_ASCII).matches("HTTP/1\\.. 503")) {
                answered503++;
                slowest503Micros = Math.max(slowest503Micros, (System.nanoTime() - c.connectedAt) / 1_000);
            } else {
                answeredOther++;
            }
        }
    }

    /** Connections still open (or connecting); a closed one's key lingers until the next select. */
    private static int stillOpen(Selector selector) {
        return (int) selector.keys().stream().filter(SelectionKey::isValid).count();
    }

    private void print(String what, int open) {
        System.out.printf(Locale.ROOT, "idle-clients %s open=%d connected=%d failed=%d answered503=%d answeredOther=%d"
                        + " closedByServer=%d reset=%d slowest503Ms=%d%n", what, open, connected, failed, answered503,
                answeredOther, closedByServer, reset, slowest503Micros / 1_000);
        System.out.flush();
    }

    /** The harness closes this process's standard input to stop it, or dies and so closes it. */
    private static void awaitEndOfInput(Selector selector) {
        try (InputStream stdin = System.in) {
            while (stdin.read() >= 0) {
                // nothing is sent; only the end matters
            }
        } catch (IOException e) {
            // the same as the end
        }
        selector.wakeup();
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
