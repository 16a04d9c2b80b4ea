package org.rproxy.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy as a client sees it, for tests of where a follower streams from: a TCP relay on an
 * ephemeral loopback port in front of a real server that can be taken {@link Mode#DOWN} (its open
 * connections cut and new ones closed as they come, as a cache restarting), or made to answer
 * every request {@code 404} ({@link Mode#NOTHING}, a proxy with no update stream), or accept every
 * request as an update stream and end it at once ({@link Mode#ENDING}, a flapping proxy), and back.
 * Counts the connections that sent a {@code POST} (subscriptions), whatever became of them.
 */
final class SwitchableRelay implements AutoCloseable {
    enum Mode { UP, DOWN, NOTHING, ENDING }

    private static final byte[] NOT_FOUND = ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private static final byte[] ENDED_STREAM = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    private volatile int targetPort;
    private volatile Mode mode = Mode.UP;

    SwitchableRelay() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "switchable-relay");
        t.setDaemon(true);
        t.start();
    }

    /** Relays to the server on loopback port {@code port}. */
    void relayTo(int port) {
        targetPort = port;
    }

    /** From now on: relays, refuses (cutting what is open), answers 404, or ends each stream at once. */
    void mode(Mode m) {
        mode = m;
        if (m != Mode.UP) {
            sockets.forEach(SwitchableRelay::closeQuietly);
            sockets.clear();
        }
    }

    /** Connections that sent a POST so far. */
    int posts() {
        return posts.get();
    }

    String base() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    URI uri() {
        return URI.create(base());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Mode m = mode;
                if (m == Mode.DOWN) {
                    closeQuietly(in);
                    continue;
                }
                sockets.add(in);
                if (m == Mode.NOTHING || m == Mode.ENDING) {
                    answerNothing(in, m == Mode.NOTHING ? NOT_FOUND : ENDED_STREAM);
                    continue;
                }
                Socket out = new Socket();
                sockets.add(out);
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                pump(in, out, true);
                pump(out, in, false);
            } catch (IOException e) {
                // closed, or the server went: the connection is dropped
            }
        }
    }

    private void answerNothing(Socket in, byte[] answer) {
        start(() -> {
            try (in) {
                byte[] buf = new byte[16 * 1024];
                int n = in.getInputStream().read(buf);
                count(buf, n);
                in.getOutputStream().write(answer);
            } catch (IOException e) {
                // the client went
            }
        });
    }

    private void pump(Socket from, Socket to, boolean requests) {
        start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (requests) {
                        count(buf, n);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // closed: the other direction ends with it
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private void count(byte[] buf, int n) {
        if (n >= 5 && new String(buf, 0, 5, StandardCharsets.US_ASCII).equals("POST ")) {
            posts.incrementAndGet();
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "switchable-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(SwitchableRelay::closeQuietly);
    }
}
