package org.rproxy.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A source that says whatever its test scripts, byte for byte, on a real loopback socket: each
 * connection's request head is read (at most 64 KB) and kept, then the {@link Script} writes the
 * answer and the connection is closed. Every thread is a daemon of its own and every socket is
 * closed by {@link #close()}, so a script that writes for ever ends with the test.
 */
final class RawSource implements AutoCloseable {

    /** Writes the answer to one request; {@code request} is its head as sent, CRLFs included. */
    @FunctionalInterface
    interface Script {
        void answer(String request, InputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** The head of every request, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile Script script;

    RawSource(Script script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptAll, "raw-source-accept");
        t.setDaemon(true);
        t.start();
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread answer = new Thread(() -> answer(s), "raw-source-answer");
                answer.setDaemon(true);
                answer.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void answer(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            String head = head(in);
            if (head == null) {
                return;
            }
            requests.add(head);
            script.answer(head, in, out);
            out.flush();
        } catch (IOException | InterruptedException gone) {
            // the client gave up on this answer, or the test ended: either is what a script expects
        } finally {
            open.remove(s);
        }
    }

    /** The request head up to its empty line, or null when the connection closed first. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int last4 = 0;
        int c;
        while ((c = in.read()) >= 0 && b.size() < 65536) {
            b.write(c);
            last4 = (last4 << 8) | c;
            if (last4 == 0x0d0a0d0a) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** Its base URL, as the origin lists it. */
    String base() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    /** The URL of {@code target} on it. */
    URI at(String target) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + target);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
