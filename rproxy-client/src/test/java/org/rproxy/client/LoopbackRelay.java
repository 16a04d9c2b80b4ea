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

/**
 * A TCP relay on an ephemeral loopback port in front of a real server, for the tests' proxies
 * that misbehave in one way each: every accepted connection is {@link #admit admitted} (or dealt
 * with by the relay itself), connected to the server and copied both ways, a thread per
 * direction, with a hook on each chunk of requests ({@link #requested}) and before each chunk of
 * answers ({@link #answering}). {@code C} is what a relay keeps per connection.
 */
abstract class LoopbackRelay<C> implements AutoCloseable {
    private static final byte[] POST = "POST ".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final String name;
    /** Every socket opened through the relay, both sides, closed with it. */
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int targetPort;

    /** Listens at once; relays to {@code targetPort} (or to the port {@link #relayTo} sets later). */
    LoopbackRelay(String name, int targetPort) throws IOException {
        this.name = name;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(name, this::accept);
    }

    /** Relays to the server on loopback port {@code port}. */
    void relayTo(int port) {
        targetPort = port;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Its base URL, as an origin lists it. */
    String base() {
        return "http://127.0.0.1:" + port() + "/";
    }

    URI uri() {
        return URI.create(base());
    }

    /** Takes a connection just accepted: true to relay it, false when the relay dealt with it. */
    boolean admit(Socket in) {
        return true;
    }

    /** What is kept for a connection being relayed. */
    abstract C opened();

    /** Told of each chunk of requests before it goes on. */
    void requested(C connection, byte[] buf, int n) {
    }

    /** Called before each chunk of answers goes on; may wait. */
    void answering(C connection) throws InterruptedException {
    }

    /** Told once the requests' direction of a connection has ended. */
    void ended(C connection) {
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                if (!admit(in)) {
                    continue;
                }
                Socket out = new Socket();
                sockets.add(in);
                sockets.add(out);
                try {
                    out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                } catch (IOException e) {
                    // the server went: the client sees its connection close, as it would at the server
                    // (left open, it stayed silent until the client's read timeout)
                    out.close();
                    in.close();
                    continue;
                }
                C c = opened();
                pump(in, out, c, true);
                pump(out, in, c, false);
            } catch (IOException e) {
                // the relay is closed
            }
        }
    }

    private void pump(Socket from, Socket to, C connection, boolean requests) {
        daemon(name + "-pump", () -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (requests) {
                        requested(connection, buf, n);
                    } else {
                        answering(connection);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed: the other direction ends with it
            } finally {
                if (requests) {
                    ended(connection);
                }
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    /** Whether the first {@code n} bytes of {@code buf} hold a {@code POST } anywhere. */
    static boolean holdsPost(byte[] buf, int n) {
        outer:
        for (int i = 0; i + POST.length <= n; i++) {
            for (int j = 0; j < POST.length; j++) {
                if (buf[i + j] != POST[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether the first {@code n} bytes of {@code buf} begin with {@code POST }. */
    static boolean startsWithPost(byte[] buf, int n) {
        return n >= POST.length && holdsPost(buf, POST.length);
    }

    static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    /** Closes what the subclass must let go first (gates it holds answers at). */
    void closing() {
    }

    @Override
    public void close() throws IOException {
        closing();
        server.close();
        sockets.forEach(LoopbackRelay::closeQuietly);
    }
}
