package org.rproxy.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay on loopback for fault injection between a proxy and its upstream: forwards bytes
 * both ways; {@link #cut()} closes every connection (a socket closed mid-stream); {@link #stall()}
 * silently stops forwarding on every open connection while keeping the sockets open (a half-open
 * or black-holed path: no FIN, no RST, nothing); {@link #rewrite} changes bytes going downstream
 * (a tampering intermediary). New connections after a cut or a stall are forwarded normally.
 * Two threads per connection; everything ends at {@link #close()}.
 */
final class Relay implements AutoCloseable {

    private final ServerSocket server;
    private volatile int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile byte[] from;
    private volatile byte[] to;
    private volatile boolean closed;

    /** A relay with no target yet: connections are closed at once until {@link #target} names one. */
    Relay() throws IOException {
        this(0);
    }

    Relay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Forwards new connections to {@code port} on loopback from now on. */
    void target(int port) {
        this.targetPort = port;
    }

    /** From now on, replaces {@code from} by {@code to} (same length) in bytes going downstream. */
    void rewrite(String from, String to) {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("same length only");
        }
        this.to = to.getBytes(StandardCharsets.US_ASCII);
        this.from = from.getBytes(StandardCharsets.US_ASCII);
    }

    void cut() {
        links.forEach(Link::close);
    }

    void stall() {
        links.forEach(l -> l.stalled = true);
    }

    int connections() {
        return (int) links.stream().filter(l -> !l.closed).count();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket down = server.accept();
                if (targetPort == 0) {
                    down.close();
                    continue;
                }
                Socket up = new Socket();
                try {
                    up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                } catch (IOException e) {
                    // the target is down: the client sees its connection close, as it would at the target
                    // (left open, it stayed silent until the client's read timeout)
                    up.close();
                    down.close();
                    continue;
                }
                Link l = new Link(down, up);
                links.add(l);
                if (closed) {
                    // Accepted while the relay was closing, after cut() went through the links.
                    l.close();
                    return;
                }
                l.start();
            } catch (IOException e) {
                // the relay is closed
            }
        }
    }

    /** One relayed connection. */
    private final class Link {
        final Socket down;
        final Socket up;
        final CountDownLatch released = new CountDownLatch(1);
        volatile boolean stalled;
        volatile boolean closed;

        Link(Socket down, Socket up) {
            this.down = down;
            this.up = up;
        }

        void start() {
            pump(down, up, false, "relay-up");
            pump(up, down, true, "relay-down");
        }

        private void pump(Socket in, Socket out, boolean downstream, String name) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream i = in.getInputStream(); OutputStream o = out.getOutputStream()) {
                    for (int n; (n = i.read(buf)) >= 0; ) {
                        if (stalled) {
                            released.await();
                            return;
                        }
                        if (downstream && from != null) {
                            replace(buf, n);
                        }
                        o.write(buf, 0, n);
                        o.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // closed
                } finally {
                    if (!stalled) {
                        close();
                    }
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }

        private void replace(byte[] buf, int n) {
            byte[] f = from;
            byte[] r = to;
            outer:
            for (int i = 0; i + f.length <= n; i++) {
                for (int j = 0; j < f.length; j++) {
                    if (buf[i + j] != f[j]) {
                        continue outer;
                    }
                }
                System.arraycopy(r, 0, buf, i, r.length);
            }
        }

        void close() {
            closed = true;
            released.countDown();
            try {
                down.close();
            } catch (IOException e) {
                // already
            }
            try {
                up.close();
            } catch (IOException e) {
                // already
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cut();
    }
}
