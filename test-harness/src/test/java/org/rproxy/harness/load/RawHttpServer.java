package org.rproxy.harness.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain HTTP/1.1 keep-alive server on 127.0.0.1, on blocking sockets, for what the JDK's server
 * cannot be made to do: accept connections late (its listen queue holds one, so the client's
 * other connects wait for a SYN retransmission) and close a keep-alive connection after a number
 * of answers, as servers do ({@code keepalive_requests}), with pipelined requests unanswered.
 * It answers the directory and the network map of {@link LoopbackServers}, 404 otherwise, and
 * counts the requests it read and the connections it accepted.
 */
final class RawHttpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final int answersPerConnection;
    private final CountDownLatch acceptFrom = new CountDownLatch(1);
    private final Queue<Socket> open = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param backlog              the listen queue
     * @param answersPerConnection answers after which a connection is closed, 0 for none
     * @param accepting            whether it accepts from the start ({@link #startAccepting} otherwise)
     */
    RawHttpServer(int backlog, int answersPerConnection, boolean accepting) throws IOException {
        this.socket = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        this.answersPerConnection = answersPerConnection;
        if (accepting) {
            acceptFrom.countDown();
        }
        Thread acceptor = new Thread(this::acceptLoop, "raw-http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    void startAccepting() {
        acceptFrom.countDown();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** Requests read, by {@code "METHOD /path"}. */
    Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        try {
            acceptFrom.await();
            while (!closed) {
                Socket s = socket.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "raw-http-conn");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            for (int answered = 0; answersPerConnection == 0 || answered < answersPerConnection; answered++) {
                String line = readRequest(in);
                if (line == null) {
                    return;
                }
                counts.computeIfAbsent(line, k -> new AtomicLong()).incrementAndGet();
                out.write(answer(line));
                out.flush();
            }
            // the keep-alive limit: a graceful close, as servers do it (FIN, then what the client still sends is
            // read and dropped until it closes), so the answers written are not lost to a reset
            s.shutdownOutput();
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Reads one request and returns "METHOD /path", or null at the end of the stream. */
    private static String readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        int length = 0;
        for (String h; (h = readLine(in)) != null && !h.isEmpty(); ) {
            if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        in.readNBytes(length);
        String[] parts = requestLine.split(" ");
        String path = parts[1].contains("?") ? parts[1].substring(0, parts[1].indexOf('?')) : parts[1];
        return parts[0] + " " + path;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return null;
    }

    private static byte[] answer(String line) {
        String body = switch (line) {
            case "GET /directory" -> LoopbackServers.DIRECTORY;
            case "GET /networkmap/net" -> LoopbackServers.NETWORK_MAP;
            default -> null;
        };
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = (body == null ? "HTTP/1.1 404 Not Found\r\n" : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
                + "Content-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[h.length + b.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(b, 0, out, h.length, b.length);
        return out;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        acceptFrom.countDown();
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
