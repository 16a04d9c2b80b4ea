package org.rproxy.core.server;

import java.net.InetSocketAddress;

import io.netty.handler.codec.http2.Http2Settings;

/**
 * A front end on an ephemeral loopback port and one Netty HTTP/2 client connected to it
 * (cleartext, prior knowledge): what the front end's HTTP/2 tests over real sockets start with.
 * Closed the client first, then the server.
 */
final class Http2FrontEnd implements AutoCloseable {

    final AltoHttpServer server;
    final Http2TestClient client;

    private Http2FrontEnd(AltoHttpServer server, Http2TestClient client) {
        this.server = server;
        this.client = client;
    }

    /** {@code service} served as {@code config} says, to a client with the default settings. */
    static Http2FrontEnd start(FrontEndConfig config, AltoService service) {
        return start(config, service, Http2Settings.defaultSettings());
    }

    /** As {@link #start(FrontEndConfig, AltoService)}, the client announcing {@code clientSettings}. */
    static Http2FrontEnd start(FrontEndConfig config, AltoService service, Http2Settings clientSettings) {
        AltoHttpServer server = AltoHttpServer.start(config, service);
        try {
            return new Http2FrontEnd(server, new Http2TestClient(
                    new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), null, clientSettings));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
