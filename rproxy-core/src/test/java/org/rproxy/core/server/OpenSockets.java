package org.rproxy.core.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The sockets and clients a front-end test opens to its server over loopback, from a source
 * address it chooses (the limits per address count by it), all closed after the test before the
 * server. For the tests of the connection limits, which each start a server with limits of their own.
 */
final class OpenSockets {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Keeps {@code c} to close after the test; returns it. */
    <T extends AutoCloseable> T add(T c) {
        open.add(c);
        return c;
    }

    /**
     * A TCP connection from {@code from} to {@code server}, nothing sent; connecting and each read
     * give up after {@link Http2TestClient#WAIT}.
     */
    Socket connect(InetAddress from, InetSocketAddress server) throws IOException {
        Socket s = add(new Socket());
        s.bind(new InetSocketAddress(from, 0));
        s.connect(server, (int) Http2TestClient.WAIT.toMillis());
        s.setSoTimeout((int) Http2TestClient.WAIT.toMillis());
        return s;
    }

    /** Closes every socket and client kept, then {@code server} (none: no server was started). */
    void closeAll(AltoHttpServer server) throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
