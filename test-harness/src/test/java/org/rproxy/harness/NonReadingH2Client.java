package org.rproxy.harness;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import javax.net.ssl.SSLContext;

import org.rproxy.core.server.RawHttp2Client;

/**
 * An HTTP/2 client that asks and never reads: it opens the flow-control windows as wide as
 * HTTP/2 allows (as browsers open theirs wide), sends one request per call and takes none of the
 * answer, over a socket with a small receive buffer, so the server's bytes for it stay on the
 * server. Over TLS (offering only {@code h2} by ALPN) or cleartext with prior knowledge. The
 * slow reader of the tests that bound what such clients hold on a node: the front end's tests'
 * {@link RawHttp2Client}, whose reader is never started, writes the frames.
 */
final class NonReadingH2Client implements Closeable {

    private final RawHttp2Client raw;
    private int nextStream = 1;

    /** Connects, with a 4 KiB receive buffer; {@code tls} trusting the server, or null for cleartext. */
    NonReadingH2Client(InetSocketAddress server, SSLContext tls) throws IOException {
        this(null, server, tls);
    }

    /** As {@link #NonReadingH2Client(InetSocketAddress, SSLContext)}, from the local address {@code from} (null: the kernel's choice). */
    NonReadingH2Client(InetAddress from, InetSocketAddress server, SSLContext tls) throws IOException {
        raw = new RawHttp2Client(from, server, tls, 4096, RawHttp2Client.SETTINGS_INITIAL_WINDOW_SIZE,
                RawHttp2Client.MAX_WINDOW);
        try {
            raw.windowUpdate(0, RawHttp2Client.MAX_WINDOW - RawHttp2Client.DEFAULT_WINDOW);
            raw.flush();
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** Sends {@code GET path} on a new stream. */
    void get(String path) throws IOException {
        raw.get(nextStream, path, true);
        nextStream += 2;
    }

    /** Sends {@code POST path} with {@code body} of {@code contentType} on a new stream. */
    void post(String path, String contentType, byte[] body) throws IOException {
        raw.post(nextStream, path, contentType, body);
        nextStream += 2;
    }

    /** Closes the TCP connection at once, with no TLS close to wait for. */
    @Override
    public void close() throws IOException {
        raw.close();
    }
}
