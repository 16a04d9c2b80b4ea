package org.rproxy.core.testing;

import static org.rproxy.core.testing.RawSockets.daemon;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLServerSocket;

import io.netty.handler.ssl.JdkSslContext;

import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * An https upstream on loopback whose answer reaches the client through a relay that can cut it in
 * the middle of a TLS record: behind the relay, a JDK TLS server answers every request with the
 * given head and body (written apart, so the head travels in a record of its own); the relay
 * passes the client's bytes on as they come and the server's one TLS record at a time, until the
 * first record of at least {@link #LARGE} bytes (a piece of the body). Of that record it passes
 * the first half, so the client's TLS handler holds half a record it cannot decrypt yet, and then,
 * by {@link Cut}, stops (the connection stays open), closes the client's connection, or resets it.
 * With {@link Cut#NONE} every record goes through. For the tests of the TLS clients (the upstream
 * client's, the push feed's stream).
 */
public final class CutTlsUpstream implements AutoCloseable {
    /** The size of record the relay cuts: larger than any of the handshake, as large as a piece of body. */
    public static final int LARGE = 8_000;

    /** What the relay does once half a large record went through. */
    public enum Cut {
        /** Nothing is cut. */
        NONE,
        /** Nothing more is passed on; the connection stays open until {@link #close}. */
        STALL,
        /** The client's connection is closed (FIN), without a TLS close_notify. */
        CLOSE,
        /** The client's connection is reset (RST). */
        RESET
    }

    private final ServerSocket relay = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    private final SSLServerSocket upstream;
    private final Cut cut;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch cutDone = new CountDownLatch(1);

    public CutTlsUpstream(TestCertificates cert, byte[] head, byte[] body, Cut cut) throws IOException {
        this.cut = cut;
        JdkSslContext tls = (JdkSslContext) Tls.server(new TlsConfig(cert.cert(), cert.key()));
        upstream = (SSLServerSocket) tls.context().getServerSocketFactory().createServerSocket(0, 16,
                InetAddress.getLoopbackAddress());
        daemon("cut-tls-upstream", () -> {
            while (!upstream.isClosed()) {
                Socket s = upstream.accept();
                sockets.add(s);
                daemon("cut-tls-upstream-answer", () -> answer(s, head, body));
            }
        });
        daemon("cut-tls-relay", () -> {
            while (!relay.isClosed()) {
                Socket client = relay.accept();
                sockets.add(client);
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstream.getLocalPort());
                sockets.add(server);
                daemon("cut-tls-relay-up", () -> client.getInputStream().transferTo(server.getOutputStream()));
                daemon("cut-tls-relay-down", () -> down(server.getInputStream(), client));
            }
        });
    }

    public int port() {
        return relay.getLocalPort();
    }

    /** Waits until half a large record has reached the client and the cut was made. */
    public void awaitCut() throws InterruptedException {
        if (!cutDone.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no record of " + LARGE + " bytes or more came from the upstream");
        }
    }

    /** Reads a request head, answers it with {@code head} then {@code body}, and keeps the connection until it ends. */
    private static void answer(Socket s, byte[] head, byte[] body) throws IOException {
        InputStream in = s.getInputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : c == '\r' ? 1 : 0;
        }
        OutputStream out = s.getOutputStream();
        out.write(head);
        out.flush();
        if (body.length > 0) {
            out.write(body);
            out.flush();
        }
        while (in.read() >= 0) {
            // until the client or the relay goes
        }
    }

    /** Passes the server's records to the client, cutting the first large one as {@link #cut} says. */
    private void down(InputStream fromServer, Socket client) throws IOException {
        DataInputStream in = new DataInputStream(fromServer);
        OutputStream out = client.getOutputStream();
        byte[] header = new byte[5];
        while (true) {
            try {
                in.readFully(header);
            } catch (EOFException end) {
                client.shutdownOutput();
                return;
            }
            int length = (header[3] & 0xff) << 8 | header[4] & 0xff;
            byte[] record = new byte[length];
            in.readFully(record);
            out.write(header);
            if (cut == Cut.NONE || length < LARGE || cutDone.getCount() == 0) {
                out.write(record);
                out.flush();
                continue;
            }
            out.write(record, 0, length / 2);
            out.flush();
            switch (cut) {
                case CLOSE -> client.close();
                case RESET -> {
                    client.setSoLinger(true, 0);
                    client.close();
                }
                default -> {
                    // STALL: the connection stays as it is
                }
            }
            cutDone.countDown();
            return;
        }
    }

    @Override
    public void close() throws IOException {
        relay.close();
        upstream.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
