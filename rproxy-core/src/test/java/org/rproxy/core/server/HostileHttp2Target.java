package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * A real front end on an ephemeral loopback port for the HTTP/2 denial-of-service tests, with the
 * clients each test opens against it (closed first, then the server). {@code /hang} is answered
 * never (until {@link #answerHanging}), so that its stream stays open; {@code /large} gets
 * {@link #LARGE_BYTES} of zeros; any other target gets {@link Fixtures#withGzip}.
 */
final class HostileHttp2Target {

    /** The size of {@code /large}: a large answer (sent in parts: {@link BodyPump#MIN_BYTES} and more). */
    static final int LARGE_BYTES = 256 * 1024;
    private static final Representation LARGE = new Representation(new Variant(Bytes.wrap(new byte[LARGE_BYTES]), null,
            List.of(new HeaderField("content-type", "application/octet-stream"), new HeaderField("etag", "\"large\""))),
            null, 60, EmbeddedFrontEnd.NOW.minusSeconds(10), EmbeddedFrontEnd.NOW.plusSeconds(3600));

    private final AltoHttpServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();
    /** Answers to requests for {@code /hang}: never completed, so their streams stay open. */
    private final List<CompletableFuture<Reply>> hanging = new ArrayList<>();

    HostileHttp2Target(FrontEndConfig config) {
        server = AltoHttpServer.start(config, request -> {
            if (request.path().equals("/hang")) {
                CompletableFuture<Reply> never = new CompletableFuture<>();
                synchronized (hanging) {
                    hanging.add(never);
                }
                return never;
            }
            if (request.path().equals("/large")) {
                return CompletableFuture.completedFuture(Reply.ok(LARGE));
            }
            return CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip()));
        });
    }

    /** Answers every request for {@code /hang} so far with the small document. */
    void answerHanging() {
        synchronized (hanging) {
            hanging.forEach(f -> f.complete(Reply.ok(Fixtures.withGzip())));
        }
    }

    /** Requests for {@code /hang} the service has been asked so far. */
    int hangingCount() {
        synchronized (hanging) {
            return hanging.size();
        }
    }

    HostileHttp2Target() {
        this(FrontEndConfig.defaults("127.0.0.1", 0));
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
    }

    AltoHttpServer server() {
        return server;
    }

    /** A hostile client, cleartext, reading what the server says. */
    RawHttp2Client raw(long... settings) throws IOException {
        return add(new RawHttp2Client(address(), settings)).startReading();
    }

    <C extends AutoCloseable> C add(C client) {
        clients.add(client);
        return client;
    }

    /** A well-behaved client (Netty's) on a connection of its own gets its document. */
    void anotherClientIsServed() throws Exception {
        Http2TestClient other = add(new Http2TestClient(address(), null));
        Http2TestClient.Call call = other.open("GET", "/doc", null);
        assertEquals(200, call.status(), "another connection is served meanwhile");
        assertEquals(Fixtures.JSON, call.text());
    }

    /** Closes the clients, then the server. */
    void stop() throws Exception {
        answerHanging();
        for (AutoCloseable c : clients) {
            c.close();
        }
        server.close();
    }
}
