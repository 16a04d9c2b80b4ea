package org.rproxy.harness.scenario;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A burst of connections that each send part of a request, or a whole one, and then leave in one
 * of the ways a client leaves: a half-close (then it reads until the server closes), a close, or a
 * reset ({@code SO_LINGER} 0). The {@link Ending}s are taken in turn. At most {@code inFlight}
 * connections at once; the whole burst is bounded in time, and a half-closed connection the
 * server has not closed within {@link #DRAIN} is closed here and counted. The connections take
 * their loopback source addresses in turn from {@link #SOURCES} addresses ({@code 127.0.20.x}),
 * each bound with a port of its own, as one address's ephemeral ports (many of them waiting out
 * TIME_WAIT in a burst) would run short. One thread: a selector
 * loop over non-blocking channels; {@link #run} blocks the caller until the burst is over.
 */
final class AbortedRequests {
    static final Duration DRAIN = Duration.ofSeconds(10);
    static final int SOURCES = 8;

    private static final String HOST = "Host: 127.0.0.1\r\n";
    private static final String GET = "GET /directory HTTP/1.1\r\n" + HOST + "\r\n";
    private static final String POST = "POST /endpointcost HTTP/1.1\r\n" + HOST
            + "Content-Type: application/alto-endpointcostparams+json\r\nContent-Length: 400\r\n\r\n{\"cost-type\":{";

    /** What a connection sends and how it leaves. */
    enum Ending {
        LINE_HALF_CLOSED("GET /directory HT", Leave.HALF_CLOSE),
        HEADERS_HALF_CLOSED("GET /directory HTTP/1.1\r\n" + HOST + "Accept: appl", Leave.HALF_CLOSE),
        BODY_HALF_CLOSED(POST, Leave.HALF_CLOSE),
        WHOLE_HALF_CLOSED(GET, Leave.HALF_CLOSE),
        LINE_CLOSED("GET /dir", Leave.CLOSE),
        BODY_CLOSED(POST, Leave.CLOSE),
        HEADERS_RESET("GET /directory HTTP/1.1\r\n" + HOST + "Acc", Leave.RESET),
        WHOLE_RESET(GET, Leave.RESET);

        final byte[] bytes;
        final Leave leave;

        Ending(String sent, Leave leave) {
            this.bytes = sent.getBytes(StandardCharsets.US_ASCII);
            this.leave = leave;
        }
    }

    enum Leave { HALF_CLOSE, CLOSE, RESET }

    /** Per ending: connections made, answered with a status line (the status of the first), closed by the server, not closed in time. */
    static final class Tally {
        long connected;
        long failedToConnect;
        long answered;
        int firstStatus;
        long closedByServer;
        long resetByServer;
        long notClosedInTime;
        long slowestCloseMillis;

        @Override
        public String toString() {
            return connected + " connected, " + failedToConnect + " failed, " + answered + " answered"
                    + (answered > 0 ? " (" + firstStatus + ")" : "") + ", " + closedByServer + " closed by server, "
                    + resetByServer + " reset by server (slowest close " + slowestCloseMillis + " ms), " + notClosedInTime
                    + " not closed within " + DRAIN.toSeconds() + " s";
        }
    }

    /** A connection's ending and, once half-closed, until when it waits for the server's close. */
    private static final class Conn {
        final Ending ending;
        long drainUntil;
        boolean answered;

        Conn(Ending ending) {
            this.ending = ending;
        }
    }

    private final InetSocketAddress target;
    private final Map<Ending, Tally> tallies = new EnumMap<>(Ending.class);
    private final ByteBuffer in = ByteBuffer.allocateDirect(16_384);

    AbortedRequests(InetSocketAddress target) {
        this.target = target;
        for (Ending e : Ending.values()) {
            tallies.put(e, new Tally());
        }
    }

    /** Runs the burst; returns the tallies (connections not started before {@code limit} are not counted). */
    Map<Ending, Tally> run(int connections, int inFlight, Duration limit) throws IOException {
        Ending[] endings = Ending.values();
        long end = System.nanoTime() + limit.toNanos();
        try (Selector selector = Selector.open()) {
            int started = 0;
            long nextSweep = 0;
            while (System.nanoTime() < end && (started < connections || !selector.keys().isEmpty())) {
                while (started < connections && selector.keys().size() < inFlight) {
                    open(selector, endings[started % endings.length],
                            new InetSocketAddress("127.0.20." + (1 + started % SOURCES), 0));
                    started++;
                }
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextSweep) {
                    sweep(selector, System.nanoTime());
                    nextSweep = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                }
            }
            sweep(selector, Long.MAX_VALUE);
        }
        return tallies;
    }

    private void open(Selector selector, Ending ending, InetSocketAddress source) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.bind(source);
            SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT, new Conn(ending));
            if (ch.connect(target)) {
                connected(key);
            }
        } catch (IOException e) {
            tallies.get(ending).failedToConnect++;
            closeQuietly(ch);
        }
    }

    private void handle(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        SocketChannel ch = (SocketChannel) key.channel();
        try {
            if (key.isConnectable()) {
                ch.finishConnect();
                connected(key);
            } else if (key.isReadable()) {
                read(ch, c);
            }
        } catch (IOException e) {
            Tally t = tallies.get(c.ending);
            if (c.drainUntil == 0) {
                t.failedToConnect++;
            } else {
                t.resetByServer++;
            }
            closeQuietly(ch);
        }
    }

    private void connected(SelectionKey key) throws IOException {
        Conn c = (Conn) key.attachment();
        SocketChannel ch = (SocketChannel) key.channel();
        tallies.get(c.ending).connected++;
        // A few hundred bytes always fit in an empty socket buffer: one write sends them all.
        ch.write(ByteBuffer.wrap(c.ending.bytes));
        switch (c.ending.leave) {
            case HALF_CLOSE -> {
                ch.shutdownOutput();
                c.drainUntil = System.nanoTime() + DRAIN.toNanos();
                key.interestOps(SelectionKey.OP_READ);
            }
            case CLOSE -> ch.close();
            case RESET -> {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.close();
            }
        }
    }

    private void read(SocketChannel ch, Conn c) throws IOException {
        Tally t = tallies.get(c.ending);
        in.clear();
        int n = ch.read(in);
        if (n < 0) {
            t.closedByServer++;
            long waited = DRAIN.toMillis() - TimeUnit.NANOSECONDS.toMillis(c.drainUntil - System.nanoTime());
            t.slowestCloseMillis = Math.max(t.slowestCloseMillis, waited);
            ch.close();
        } else if (n >= 12 && !c.answered) {
            c.answered = true;
            byte[] head = new byte[12];
            in.flip().get(head);
            String line = new String(head, StandardCharsets.US_ASCII);
            String status = line.substring(9, 12);
            if (line.startsWith("HTTP/1.") && status.chars().allMatch(Character::isDigit) && t.answered++ == 0) {
                t.firstStatus = Integer.parseInt(status);
            }
        }
    }

    /** Closes the half-closed connections whose server has not closed them by {@code now}. */
    private void sweep(Selector selector, long now) {
        for (SelectionKey key : selector.keys()) {
            Conn c = (Conn) key.attachment();
            if (key.isValid() && (c.drainUntil != 0 && c.drainUntil <= now || now == Long.MAX_VALUE)) {
                if (c.drainUntil != 0) {
                    tallies.get(c.ending).notClosedInTime++;
                }
                closeQuietly((SocketChannel) key.channel());
            }
        }
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
