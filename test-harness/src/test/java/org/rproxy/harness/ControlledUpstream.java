package org.rproxy.harness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.push.UpdatePublisher;

/**
 * An upstream the test controls, over a real socket: the product's own front end answering from
 * documents the test signed (so conditional GET, gzip selection and max-age are the origin's),
 * counting every request per target, and able to hold answers back, fail with 503, or serve
 * whatever a tampering function makes of a document.
 */
final class ControlledUpstream implements AutoCloseable {
    final Map<String, Representation> docs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    volatile Function<String, Representation> generator = t -> null;
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile boolean failing;
    private final AltoHttpServer server;
    private final UpdatePublisher stream;

    ControlledUpstream() {
        this(null);
    }

    /**
     * With {@code stream} mounted at {@code /updates} (its requests are neither counted nor held
     * back): an upstream push proxies can subscribe to, streaming whatever the test gives it.
     */
    ControlledUpstream(UpdatePublisher stream) {
        this.stream = stream;
        AltoService documents = request -> {
            requests.computeIfAbsent(request.target(), k -> new AtomicInteger()).incrementAndGet();
            return gate.thenApply(v -> answer(request.target()));
        };
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0),
                stream == null ? documents : stream.wrap(documents));
    }

    /**
     * Serves {@code first} as the network map {@code map} (resource id {@code nm}), by GET and on
     * the stream this upstream was made with, and a directory listing it and that stream (at
     * {@code /updates}, using it), signed by {@code origin} at {@code directorySigned}, valid for
     * a day, max-age 60 s: what a push proxy subscribes with.
     */
    void servePushedMap(TestSigner origin, Instant directorySigned, String map, Representation first) {
        if (stream == null) {
            throw new IllegalStateException("an upstream made without a stream");
        }
        String directory = "{\"resources\":{"
                + "\"nm\":{\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"" + map + "\"},"
                + "\"updates\":{\"media-type\":\"text/event-stream\",\"uri\":\"/updates\",\"uses\":[\"nm\"]}}}";
        docs.put("/directory", origin.sign(AltoResource.of("directory", "/directory"),
                Bytes.wrap(Jcs.canonicalize(directory.getBytes(StandardCharsets.UTF_8))), false, directorySigned,
                Duration.ofDays(1), 60));
        docs.put(map, first);
        stream.accept(map, first);
    }

    private Reply answer(String target) {
        if (failing) {
            return Reply.error(new AltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, null, null, "overloaded", 503), Dialect.JSON);
        }
        Representation r = docs.get(target);
        if (r == null) {
            r = generator.apply(target);
        }
        if (r == null) {
            return Reply.error(AltoError.invalidValue("uri", target, "no such resource").withStatus(404), Dialect.JSON);
        }
        return Reply.ok(r);
    }

    String baseUri() {
        return "http://127.0.0.1:" + server.localAddress().getPort();
    }

    int requests(String target) {
        AtomicInteger n = requests.get(target);
        return n == null ? 0 : n.get();
    }

    /** Request counts by target, for failure messages. */
    Map<String, Integer> requestCounts() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        requests.forEach((t, n) -> out.put(t, n.get()));
        return out;
    }

    int totalRequests() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() {
        gate.complete(null);
        server.close();
    }
}
