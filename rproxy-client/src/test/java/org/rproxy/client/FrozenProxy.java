package org.rproxy.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * An RProxy that stopped catching up, on an ephemeral loopback port: it serves the signed
 * representations it is handed, and streams them through a real update stream publisher (RFC 8895,
 * with signature events) at {@code /updates}, never anything newer. Handed a version the origin
 * signed before its current one, it is a stale cache or a replaying proxy: every byte genuine,
 * only old. Until handed anything it answers every GET 404.
 */
final class FrozenProxy implements AutoCloseable {
    private final Map<String, Representation> held = new ConcurrentHashMap<>();
    private final UpdatePublisher publisher;
    private final AltoHttpServer server;

    FrozenProxy() {
        this(UpdateStreamConfig.DEFAULT_HEARTBEAT);
    }

    /** As {@link #FrozenProxy()}, its streams sending a heartbeat after {@code heartbeat} of silence. */
    FrozenProxy(Duration heartbeat) {
        publisher = new UpdatePublisher(UpdateStreamConfig.defaults().withHeartbeat(heartbeat));
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), publisher.wrap(req -> {
            Representation r = held.get(req.path());
            return CompletableFuture.completedFuture(r != null ? new Reply.Ok(r) : new Reply.Error(
                    AltoError.invalidValue("uri", req.path(), "not held here").withStatus(404), Dialect.JSON));
        }));
    }

    /**
     * Holds {@code documents} (request target to signed representation) from now on: served, and
     * streamed to every subscription made after this call.
     */
    void hold(Map<String, Representation> documents) {
        held.putAll(documents);
        publisher.installed(Map.copyOf(held)); // taken on the publisher's thread before any later subscription
    }

    /** Its base URL, as the origin lists it. */
    String base() {
        return "http://127.0.0.1:" + server.localAddress().getPort() + "/";
    }

    URI uri() {
        return URI.create(base());
    }

    @Override
    public void close() {
        server.close();
        publisher.close();
    }
}
