package org.rproxy.client;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy as a client sees it, for tests of where a follower streams from: a relay in front of a
 * real server ({@link LoopbackRelay}) that can be taken {@link Mode#DOWN} (its open connections
 * cut and new ones closed as they come, as a cache restarting), made to answer every request
 * {@code 404} ({@link Mode#NOTHING}, a proxy with no update stream) or to answer every request as
 * an update stream and end it at once ({@link Mode#ENDING}, a flapping proxy), or to fall silent
 * ({@link Mode#SILENT}: its connections stay open and no answer byte goes on, not even a stream's
 * heartbeat, as a source whose network path went dead), or to answer every request with the head
 * of an error and never its body ({@link Mode#HEAD_ONLY}: the connection stays open), and back. Counts the connections that
 * sent a {@code POST} (subscriptions), whatever became of them.
 */
final class SwitchableRelay extends LoopbackRelay<Void> {
    enum Mode { UP, DOWN, NOTHING, ENDING, SILENT, HEAD_ONLY }

    private static final byte[] NOT_FOUND = ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private static final byte[] ENDED_STREAM = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    /** A 503's head and the first byte of the 100 its body is said to have. */
    private static final byte[] ERROR_HEAD = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/alto-error+json\r\n"
            + "Content-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII);

    private final AtomicInteger posts = new AtomicInteger();
    private volatile Mode mode = Mode.UP;

    /** Relays to the port {@link #relayTo} sets. */
    SwitchableRelay() throws IOException {
        super("switchable-relay", 0);
    }

    /**
     * From now on: relays, refuses (cutting what is open), answers 404, ends each stream at once, or
     * holds every answer (what is open stays open).
     */
    void mode(Mode m) {
        synchronized (this) {
            mode = m;
            notifyAll(); // answers held while silent go on, or their connections are cut
        }
        if (m != Mode.UP && m != Mode.SILENT) {
            sockets.forEach(LoopbackRelay::closeQuietly);
            sockets.clear();
        }
    }

    /** Connections that sent a POST so far. */
    int posts() {
        return posts.get();
    }

    @Override
    boolean admit(Socket in) {
        Mode m = mode;
        if (m == Mode.DOWN) {
            closeQuietly(in);
            return false;
        }
        if (m == Mode.NOTHING || m == Mode.ENDING || m == Mode.HEAD_ONLY) {
            sockets.add(in);
            answer(in, m == Mode.NOTHING ? NOT_FOUND : m == Mode.ENDING ? ENDED_STREAM : ERROR_HEAD, m != Mode.HEAD_ONLY);
            return false;
        }
        return true;
    }

    @Override
    Void opened() {
        return null;
    }

    @Override
    void requested(Void connection, byte[] buf, int n) {
        count(buf, n);
    }

    @Override
    void answering(Void connection) throws InterruptedException {
        synchronized (this) {
            while (mode == Mode.SILENT) {
                wait();
            }
        }
    }

    @Override
    void closing() {
        mode(Mode.DOWN); // nothing held any longer
    }

    /** Reads the request's first chunk, answers {@code answer} and closes, or leaves the connection open (until the mode changes). */
    private void answer(Socket in, byte[] answer, boolean close) {
        daemon("switchable-relay-answer", () -> {
            try {
                byte[] buf = new byte[16 * 1024];
                int n = in.getInputStream().read(buf);
                count(buf, n);
                in.getOutputStream().write(answer);
            } catch (IOException e) {
                // the client went
            } finally {
                if (close) {
                    closeQuietly(in);
                }
            }
        });
    }

    private void count(byte[] buf, int n) {
        if (startsWithPost(buf, n)) {
            posts.incrementAndGet();
        }
    }
}
