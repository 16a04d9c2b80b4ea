package org.rproxy.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port where a connection is refused, for as long as this is open: a socket bound to
 * it that never listens (a connection attempt gets a reset, ECONNREFUSED) and, bound without
 * {@code SO_REUSEADDR}, keeps the kernel from handing the port to anyone else. A port merely
 * closed (a server socket opened and closed at once) can be handed out again at the next bind to
 * port 0, as the test's own node's listener once was: it then answered the test's "refused"
 * upstream itself (a push proxy subscribing to its own 504).
 */
public final class RefusedPort implements AutoCloseable {
    private final Socket held;

    private RefusedPort(Socket held) {
        this.held = held;
    }

    /** A new port on 127.0.0.1 where connections are refused until {@link #close}. */
    public static RefusedPort open() {
        Socket s = new Socket();
        try {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new RefusedPort(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("binding a loopback port", e);
        }
    }

    public int port() {
        return held.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        held.close();
    }
}
