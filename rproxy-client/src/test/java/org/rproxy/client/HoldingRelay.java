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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on an ephemeral loopback port in front of a real server, for a source that holds an
 * update stream back: every byte goes through as it comes, except the answer on a connection that
 * has sent a {@code POST} (a subscription: on HTTP/1.1 the last request of its connection, since
 * the stream never ends), which waits until {@link #release()}. So the test decides what happens
 * between a subscription being sent and its answer being read, without sleeps.
 */
final class HoldingRelay implements AutoCloseable {
    private static final byte[] POST = "POST ".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch posted = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile int targetPort;

    HoldingRelay() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "holding-relay");
        t.setDaemon(true);
        t.start();
    }

    /** Relays to the server on loopback port {@code port}; connections are accepted only once it is set. */
    void relayTo(int port) {
        targetPort = port;
    }

    /** Its base URL, as the origin lists it. */
    String base() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    URI uri() {
        return URI.create(base());
    }

    /** Waits (30 s at most) until a connection has sent a {@code POST}, whose answer is now held back. */
    void awaitPost() throws InterruptedException {
        if (!posted.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no POST through the relay within 30 s");
        }
    }

    /** Lets the answers held back, and all that follow, through. */
    void release() {
        released.countDown();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket();
                sockets.add(in);
                sockets.add(out);
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                boolean[] holding = new boolean[1];
                pump(in, out, holding, true);
                pump(out, in, holding, false);
            } catch (IOException e) {
                // closed, or the server went: the connection is dropped
            }
        }
    }

    /** Copies {@code from} to {@code to}: the requests (watched for a POST), or the answers (held back after one). */
    private void pump(Socket from, Socket to, boolean[] holding, boolean requests) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (requests && contains(buf, n, POST)) {
                        synchronized (holding) {
                            holding[0] = true; // before the POST goes on: its answer comes after
                        }
                        posted.countDown();
                    }
                    boolean hold;
                    synchronized (holding) {
                        hold = holding[0];
                    }
                    if (!requests && hold) {
                        released.await();
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed: the other direction ends with it
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "holding-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buf, int n, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= n; i++) {
            for (int j = 0; j < what.length; j++) {
                if (buf[i + j] != what[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
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
        released.countDown();
        server.close();
        sockets.forEach(HoldingRelay::closeQuietly);
    }
}
