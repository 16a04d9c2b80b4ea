package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream that does not play by the rules, on an ephemeral loopback port, for the push feed's
 * tests: each connection's first request (its request line and body) is recorded, and answered by the
 * {@link Answer} the test gives, on a thread of its own. What the answer writes is counted, and
 * the moment the feed closes the connection (a write that fails) is recorded. Every byte sent is
 * bounded by the answer, so a feed that does not cut it off fails its test, not the test's JVM.
 */
final class HostileUpstream implements AutoCloseable {

    /** How one connection is answered. */
    @FunctionalInterface
    interface Answer {
        /** Writes the answer to the request {@code line} ("GET /directory HTTP/1.1"); may block, or never return. */
        void write(String line, OutputStream out, AtomicLong written) throws Exception;
    }

    /** An answer that writes nothing more, holding the connection open until the feed closes it. */
    static void holdOpen(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // the feed's bytes, if any, are not read
        }
    }

    /**
     * Answers with {@code source}'s own answer to a GET (status 200, its header fields and body:
     * a signed directory relayed from a genuine upstream, say), then closes the connection.
     */
    static void relay(URI source, OutputStream out) throws Exception {
        replay(answerOf(source), out);
    }

    /**
     * Writes an answer fetched before by {@link #answerOf}, then closes the connection: for an
     * upstream that must answer within a short read timeout, which a fetch made while answering
     * (a new HTTP client, the source's first request) can take longer than on a loaded machine.
     */
    static void replay(byte[] answer, OutputStream out) throws IOException {
        out.write(answer);
        out.flush();
        throw new EOFException("answered"); // closes the connection
    }

    /** {@code source}'s own answer to a GET, as {@link #relay} writes it (head and body). */
    static byte[] answerOf(URI source) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(source).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
        r.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("connection")
                    && !name.equalsIgnoreCase("transfer-encoding") && !name.startsWith(":")) {
                values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
            }
        });
        head.append("Content-Length: ").append(r.body().length).append("\r\nConnection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(US_ASCII);
        byte[] answer = java.util.Arrays.copyOf(h, h.length + r.body().length);
        System.arraycopy(r.body(), 0, answer, h.length, r.body().length);
        return answer;
    }

    /**
     * Accepts a subscription: the head of a chunked event stream, then the control event giving
     * the control URI {@code /updates/control/N}, {@code n} numbering the streams.
     */
    static void acceptStream(OutputStream out, int n) throws IOException {
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(US_ASCII));
        chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                + "data: {\"control-uri\":\"/updates/control/" + n + "\"}\n\n");
    }

    /** Writes {@code text} as one chunk of a chunked body, and flushes it. */
    static void chunk(OutputStream out, String text) throws IOException {
        byte[] b = text.getBytes(US_ASCII);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(US_ASCII));
        out.flush();
    }

    private final ServerSocket server;
    private final Answer answer;
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    /** Each request's line and body, in the order read. */
    private final CopyOnWriteArrayList<String[]> bodies = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
    private final CountDownLatch cutOff = new CountDownLatch(1);
    private final AtomicLong written = new AtomicLong();
    private final CopyOnWriteArrayList<Socket> open = new CopyOnWriteArrayList<>();

    HostileUpstream(Answer answer) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.answer = answer;
        Thread acceptor = new Thread(this::accept, "hostile-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The next request line a connection sent, waiting at most {@code seconds}; null if none. */
    String nextRequest(long seconds) throws InterruptedException {
        return requests.poll(seconds, TimeUnit.SECONDS);
    }

    /**
     * The request line of the next connection the feed closed once its answer was written (the
     * answer returned, and the feed then closed the connection), waiting at most {@code seconds};
     * null if none.
     */
    String nextClosed(long seconds) throws InterruptedException {
        return closed.poll(seconds, TimeUnit.SECONDS);
    }

    /** Whether the feed closed a connection while it was being answered, waiting at most {@code seconds}. */
    boolean awaitCutOff(long seconds) throws InterruptedException {
        return cutOff.await(seconds, TimeUnit.SECONDS);
    }

    /** The body of the last request read whose request line starts with {@code line} (as UTF-8), or null. */
    String lastBody(String line) {
        String body = null;
        for (String[] r : bodies) {
            if (r[0].startsWith(line)) {
                body = r[1];
            }
        }
        return body;
    }

    /** Bytes the answers wrote in all. */
    long written() {
        return written.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            open.add(s);
            Thread t = new Thread(() -> serve(s), "hostile-upstream-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        try (s) {
            String[] request = readRequest(s.getInputStream());
            if (request == null) {
                return;
            }
            String line = request[0];
            bodies.add(request);
            requests.add(line);
            answer.write(line, s.getOutputStream(), written);
            holdOpen(s.getInputStream());
            closed.add(line);
            cutOff.countDown(); // the feed closed it
        } catch (IOException e) {
            if (!server.isClosed()) {
                cutOff.countDown(); // a write failed: the feed closed the connection
            }
        } catch (Exception e) {
            // interrupted, or the test ended
        }
    }

    /** Reads one request head and its body (by its length); returns its request line and body, or null at the end. */
    private static String[] readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
        }
        String h = head.toString(US_ASCII);
        String lower = h.toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        byte[] body = in.readNBytes(length);
        return new String[] {h.substring(0, h.indexOf("\r\n")), new String(body, java.nio.charset.StandardCharsets.UTF_8)};
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
