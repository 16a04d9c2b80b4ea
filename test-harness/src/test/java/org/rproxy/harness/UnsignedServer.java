package org.rproxy.harness;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * A plain, unsigned RFC 7285 server for signing-front tests, on an ephemeral loopback port: it
 * serves whatever {@link #documents} holds by path (the directory, network maps, cost maps by
 * their path's first segment), unsigned and uncached, so a test changes the server's maps by
 * putting new bodies. Starts with RFC 7285's examples ({@link SigningFrontIT#directory} and the
 * maps of version {@link SigningFrontIT#TAG1}).
 */
final class UnsignedServer implements AutoCloseable {

    final Map<String, String> documents = new ConcurrentHashMap<>();
    private final AltoHttpServer server;

    UnsignedServer() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), request -> {
            String body = documents.get(request.path());
            if (body == null) {
                return CompletableFuture.completedFuture(Reply.error(AltoError.invalidValue("uri", request.path(),
                        "no such resource").withStatus(404), Dialect.JSON));
            }
            String type = request.path().equals("/directory") ? "application/alto-directory+json"
                    : request.path().startsWith("/networkmap") ? "application/alto-networkmap+json"
                    : "application/alto-costmap+json";
            Instant now = Instant.now();
            Variant v = new Variant(Bytes.utf8(body), null, List.of(new HeaderField("content-type", type)));
            return CompletableFuture.completedFuture(Reply.ok(new Representation(v, null, 0, now, now.plusSeconds(60))));
        });
        documents.put("/directory", SigningFrontIT.directory(base()));
        documents.put("/networkmap", SigningFrontIT.networkMap(SigningFrontIT.TAG1, "198.51.100.0/25"));
        documents.put("/costmap/num/routingcost", SigningFrontIT.costMap(SigningFrontIT.TAG1));
    }

    /** {@code http://127.0.0.1:port}. */
    String base() {
        return "http://127.0.0.1:" + server.localAddress().getPort();
    }

    /** The server's maps become version {@link SigningFrontIT#TAG2}, with PID1's second prefix changed. */
    void change() {
        documents.put("/networkmap", SigningFrontIT.networkMap(SigningFrontIT.TAG2, "198.51.100.0/26"));
        documents.put("/costmap/num/routingcost", SigningFrontIT.costMap(SigningFrontIT.TAG2));
    }

    @Override
    public void close() {
        server.close();
    }
}
