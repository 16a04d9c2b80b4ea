package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.store.Representation;

/**
 * A signature a hop adds beside the origin's does not cost a push-mode proxy its gzip variant: an
 * origin → a hop (a small HTTP relay here, as a cache in between might be) that adds an
 * {@code alto-2} member over another window, by a key nobody trusts, to every signed answer → a
 * pull proxy, which keeps the lines as they came and streams them on → {@code rproxy proxy --mode
 * push}. Every verifier passes such a copy (it checks the first signature by a trusted key), and
 * the push half verified the gzip variant; before, the pull half read "the" window of that
 * variant from all its members, found two, and held the copy without it, so gzip clients got
 * identity or a refetch. Real servers on loopback.
 */
class PushedAddedSignatureIT {
    /** Over the origin's threshold for a gzip variant. */
    private static final String MAP = "/networkmap/big-network-map";

    @TempDir
    Path dir;

    @Test
    void aGzipVariantWhoseSignatureAHopAddedToIsHeldByThePushModeProxy() throws Exception {
        try (PushTree tree = PushTree.start(dir, "big-network-map.json", OriginEndToEndIT.bigNetworkMap(300));
             AddingHop hop = new AddingHop(tree.originBase())) {
            ProxyConfig pullConfig = Proxies.config("pull", hop.base(), tree.publicKey);
            try (StreamingPull pull = StreamingPull.start(pullConfig, StreamingPull.streamConfig(pullConfig),
                    Clock.systemUTC())) {
                HttpResponse<byte[]> viaHop = Proxies.get(pull.pull().baseUri() + MAP,
                        Map.of("accept-encoding", "gzip"));
                assertEquals("gzip", viaHop.headers().firstValue("content-encoding").orElse(null),
                        "the pull proxy's own gzip answer");
                assertEquals(2, viaHop.headers().allValues("signature-input").size(),
                        "the member the hop added, kept on a line of its own");

                ProxyConfig pushConfig = Proxies.config("push", pull.pull().baseUri(), tree.publicKey)
                        .withMode(ProxyConfig.Mode.PUSH).withQueries(ProxyConfig.Queries.UPSTREAM);
                try (PushPullProxy node = PushPullProxy.start(pushConfig, Clock.systemUTC())) {
                    Map<String, Representation> held = new ConcurrentHashMap<>();
                    node.pull().addChangeListener(held::put);
                    PushTree.await(Duration.ofSeconds(30), "the map pushed to the push-mode proxy, added member and all",
                            () -> held.containsKey(MAP)
                                    && held.get(MAP).identity().header("signature-input")
                                    .map(v -> v.contains(AddingHop.LABEL)).orElse(false));
                    // the feed's held() shows the version once its output (the pull half) has returned
                    PushTree.await(Duration.ofSeconds(10), "the map held by the push half",
                            () -> node.feed().held().get(MAP) != null);
                    assertNotNull(node.feed().held().get(MAP).gzip(), "the push half verified the gzip variant");
                    Representation copy = held.get(MAP);
                    assertNotNull(copy.gzip(), "the gzip variant the push half verified, held by the pull half: "
                            + copy.identity().header("signature-input").orElse(null));
                    HttpResponse<byte[]> served = Proxies.get(node.baseUri() + MAP,
                            Map.of("accept-encoding", "gzip"));
                    assertEquals(200, served.statusCode());
                    assertEquals("gzip", served.headers().firstValue("content-encoding").orElse(null),
                            "a gzip client of the push-mode proxy");
                }
            }
        }
    }

    /**
     * A relay for plain requests that adds an {@code alto-2} signature (created an hour later, a
     * day long, by key {@code hop}, junk bytes) on lines of their own to every answer that carries
     * a {@code Signature}: what a cache in between that signs what it passes on may do.
     */
    private static final class AddingHop implements AutoCloseable {
        static final String LABEL = "alto-2";
        /** Fields the relay does not pass on either way: hop-by-hop, or set by its own client or server. */
        private static final Set<String> NOT_RELAYED = Set.of("connection", "content-length", "date", "expect", "from",
                "host", "keep-alive", "transfer-encoding", "upgrade", "via", "warning");

        private final String upstream;
        private final HttpServer server;
        private final ExecutorService workers = Executors.newFixedThreadPool(4);
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        AddingHop(String upstream) throws IOException {
            this.upstream = upstream;
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.createContext("/", this::relay);
            server.setExecutor(workers);
            server.start();
        }

        String base() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void relay(HttpExchange ex) throws IOException {
            try (ex) {
                byte[] in = ex.getRequestBody().readAllBytes();
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
                        .timeout(Duration.ofSeconds(10))
                        .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(in));
                ex.getRequestHeaders().forEach((name, values) -> {
                    if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT))) {
                        values.forEach(v -> req.header(name, v));
                    }
                });
                HttpResponse<byte[]> resp;
                try {
                    resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ex.sendResponseHeaders(502, -1);
                    return;
                }
                resp.headers().map().forEach((name, values) -> {
                    if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                        ex.getResponseHeaders().put(name, new ArrayList<>(values));
                    }
                });
                if (resp.headers().firstValue("signature").isPresent()) {
                    long created = Instant.now().plusSeconds(3600).getEpochSecond();
                    ex.getResponseHeaders().add("signature-input", LABEL + "=(\"content-type\");created=" + created
                            + ";expires=" + (created + 86_400) + ";keyid=\"hop\";alg=\"ed25519\"");
                    ex.getResponseHeaders().add("signature", LABEL + "=:"
                            + Base64.getEncoder().encodeToString(new byte[64]) + ":");
                }
                byte[] body = resp.body();
                boolean empty = body.length == 0 || resp.statusCode() == 304 || ex.getRequestMethod().equals("HEAD");
                ex.sendResponseHeaders(resp.statusCode(), empty ? -1 : body.length);
                if (!empty) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
            workers.shutdownNow();
        }
    }
}
