package org.rproxy.client;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on an ephemeral loopback port in front of a real server that holds back the answer
 * to each subscription (a connection that sent a {@code POST}) until the test lets that one
 * through by its number ({@link #release(int)}, 1 for the first {@code POST} the relay saw), so
 * that a test decides in which order two subscriptions under way are answered. Counts the
 * connections open through it.
 */
final class GatedRelay implements AutoCloseable {
    private static final byte[] POST = "POST ".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_POSTS = 16;

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final int targetPort;

    GatedRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        for (int i = 0; i < MAX_POSTS; i++) {
            gates.add(new CountDownLatch(1));
        }
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "gated-relay");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Waits (30 s at most) until {@code n} connections have sent a {@code POST}. */
    void awaitPosts(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (posts) {
            while (posts.get() < n) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(posts.get() + " POSTs through the relay within 30 s, not " + n);
                }
                posts.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
    }

    /** Lets the answer to the {@code n}th {@code POST} through (1 for the first). */
    void release(int n) {
        gates.get(n - 1).countDown();
    }

    /** Client connections open through the relay now. */
    int openConnections() {
        return open.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket();
                sockets.add(in);
                sockets.add(out);
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                open.incrementAndGet();
                CountDownLatch[] gate = new CountDownLatch[1];
                pump(in, out, gate, true);
                pump(out, in, gate, false);
            } catch (IOException e) {
                // closed, or the server went: the connection is dropped
            }
        }
    }

    /** Copies {@code from} to {@code to}: the requests (watched for a POST), or the answers (held after one). */
    private void pump(Socket from, Socket to, CountDownLatch[] gate, boolean requests) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (requests && contains(buf, n)) {
                        synchronized (posts) {
                            gate[0] = gates.get(Math.min(posts.getAndIncrement(), MAX_POSTS - 1));
                            posts.notifyAll();
                        }
                    }
                    CountDownLatch g;
                    synchronized (posts) {
                        g = gate[0];
                    }
                    if (!requests && g != null) {
                        g.await();
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed: the other direction ends with it
            } finally {
                if (requests) {
                    open.decrementAndGet();
                }
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "gated-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buf, int n) {
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

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    @Override
    public void close() throws IOException {
        gates.forEach(CountDownLatch::countDown);
        server.close();
        sockets.forEach(GatedRelay::closeQuietly);
    }
}
