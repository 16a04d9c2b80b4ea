package org.rproxy.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client that asks and never reads: it opens the flow-control windows as wide as
 * HTTP/2 allows (as browsers open theirs wide), sends one request per call and takes none of the
 * answer, over a socket with a small receive buffer, so the server's bytes for it stay on the
 * server. Over TLS (offering only {@code h2} by ALPN) or cleartext with prior knowledge. The
 * slow reader of the tests that bound what such clients hold on a node.
 */
final class NonReadingH2Client implements AutoCloseable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int SETTINGS = 0x4;
    private static final int WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final long MAX_WINDOW = (1L << 31) - 1;
    private static final int DEFAULT_WINDOW = 65_535;

    private final Socket tcp;
    private final OutputStream out;
    private final String scheme;
    private int nextStream = 1;

    /** Connects, with a 4 KiB receive buffer; {@code tls} trusting the server, or null for cleartext. */
    NonReadingH2Client(InetSocketAddress server, SSLContext tls) throws IOException {
        tcp = new Socket();
        tcp.setReceiveBufferSize(4096);
        tcp.connect(server, 10_000);
        Socket s = tcp;
        if (tls != null) {
            SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(tcp, "127.0.0.1", server.getPort(), true);
            SSLParameters p = t.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            t.setSSLParameters(p);
            t.startHandshake();
            if (!"h2".equals(t.getApplicationProtocol())) {
                throw new IOException("ALPN chose " + t.getApplicationProtocol() + ", not h2");
            }
            s = t;
        }
        scheme = tls != null ? "https" : "http";
        out = s.getOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(PREFACE);
        byte[] settings = new byte[6];
        settings[1] = SETTINGS_INITIAL_WINDOW_SIZE;
        put32(settings, 2, MAX_WINDOW);
        frame(b, SETTINGS, 0, 0, settings);
        byte[] increment = new byte[4];
        put32(increment, 0, MAX_WINDOW - DEFAULT_WINDOW);
        frame(b, WINDOW_UPDATE, 0, 0, increment);
        out.write(b.toByteArray());
        out.flush();
    }

    /** Sends {@code GET path} on a new stream. */
    void get(String path) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        frame(b, HEADERS, END_HEADERS | END_STREAM, nextStream, head("GET", path));
        nextStream += 2;
        out.write(b.toByteArray());
        out.flush();
    }

    /** Sends {@code POST path} with {@code body} of {@code contentType} on a new stream. */
    void post(String path, String contentType, byte[] body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        frame(b, HEADERS, END_HEADERS, nextStream, head("POST", path, "content-type", contentType,
                "content-length", Integer.toString(body.length)));
        frame(b, DATA, END_STREAM, nextStream, body);
        nextStream += 2;
        out.write(b.toByteArray());
        out.flush();
    }

    /** A request head: every field an HPACK literal without indexing, new name, not Huffman coded (RFC 7541 §6.2.2). */
    private byte[] head(String method, String path, String... more) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String[] fields = {":method", method, ":scheme", scheme, ":authority", "127.0.0.1", ":path", path};
        for (String[] list : new String[][] {fields, more}) {
            for (int i = 0; i < list.length; i += 2) {
                b.write(0x00);
                string(b, list[i]);
                string(b, list[i + 1]);
            }
        }
        return b.toByteArray();
    }

    private static void string(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= 127) {
            throw new IllegalArgumentException("too long for this client: " + s);
        }
        b.write(bytes.length);
        b.write(bytes, 0, bytes.length);
    }

    private static void frame(ByteArrayOutputStream b, int type, int flags, int stream, byte[] payload) {
        int n = payload.length;
        b.write(n >> 16);
        b.write(n >> 8);
        b.write(n);
        b.write(type);
        b.write(flags);
        byte[] id = new byte[4];
        put32(id, 0, stream);
        b.write(id, 0, 4);
        b.write(payload, 0, n);
    }

    private static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >> 24);
        b[at + 1] = (byte) (v >> 16);
        b[at + 2] = (byte) (v >> 8);
        b[at + 3] = (byte) v;
    }

    /** Closes the TCP connection at once, with no TLS close to wait for. */
    @Override
    public void close() throws IOException {
        tcp.close();
    }
}
