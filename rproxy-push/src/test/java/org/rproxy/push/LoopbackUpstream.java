package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.rproxy.core.codec.Gzip;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * An upstream for the push feed's tests, on an ephemeral loopback port: a real
 * {@link UpdatePublisher} on the real front end, with a signed directory (served at
 * {@code /directory}, and streamed) that lists the update stream and the network map
 * {@value #NM}; documents are signed by {@link #origin} with the {@code created} the test gives.
 */
final class LoopbackUpstream implements AutoCloseable {

    static final String NM = "/networkmap/nm";
    private static final String DIRECTORY_BODY = "{\"resources\":{"
            + "\"nm\":{\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"" + NM + "\"},"
            + "\"updates\":{\"media-type\":\"text/event-stream\",\"uri\":\"/updates\",\"uses\":[\"nm\"]}}}";

    final TestSigner origin;
    final UpdatePublisher publisher;
    private final Representation directory;
    private final AltoHttpServer server;
    private final AtomicInteger streams = new AtomicInteger();

    /** @param signedAt when the directory was signed (valid for a day) */
    LoopbackUpstream(UpdateStreamConfig config, Instant signedAt) {
        this(config, signedAt, SignatureAlgorithm.ED25519);
    }

    /** As {@link #LoopbackUpstream(UpdateStreamConfig, Instant)}, the origin signing with {@code algorithm}. */
    LoopbackUpstream(UpdateStreamConfig config, Instant signedAt, SignatureAlgorithm algorithm) {
        this(config, signedAt, new TestSigner(algorithm));
    }

    /**
     * As {@link #LoopbackUpstream(UpdateStreamConfig, Instant)}, its documents signed by {@code origin}:
     * two upstreams of one origin (each document published to both with the same {@code created}
     * is the same signing on both).
     */
    LoopbackUpstream(UpdateStreamConfig config, Instant signedAt, TestSigner origin) {
        this.origin = origin;
        this.publisher = new UpdatePublisher(config);
        this.directory = sign(StreamDiscovery.DIRECTORY, "directory", DIRECTORY_BODY, signedAt);
        publisher.accept(StreamDiscovery.DIRECTORY, directory);
        AltoService service = publisher.wrap(req ->
                CompletableFuture.completedFuture(req.method().equals("GET") && req.path().equals(StreamDiscovery.DIRECTORY)
                        ? new Reply.Ok(directory)
                        : new Reply.Error(AltoError.invalidValue("uri", req.path(), "not here").withStatus(404),
                        Dialect.JSON)));
        this.server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), req -> {
            if (req.method().equals("POST") && req.path().equals(config.path())) {
                streams.incrementAndGet();
            }
            return service.handle(req);
        });
    }

    /** Subscriptions to the update stream asked for so far (taken or refused). */
    int streamsAsked() {
        return streams.get();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.localAddress().getPort());
    }

    /** Signs {@code body} (put in RFC 8785 form, as the origin signs it) and streams it at {@code target}. */
    Representation publish(String target, String resourceId, String body, Instant created) {
        return publish(target, resourceId, body, created, Duration.ofDays(1));
    }

    /** As {@link #publish(String, String, String, Instant)}, the signature valid for {@code validity}. */
    Representation publish(String target, String resourceId, String body, Instant created, Duration validity) {
        Representation r = sign(target, resourceId, body, created, validity);
        publisher.accept(target, r);
        return r;
    }

    /**
     * Streams {@code body} at {@code target} with the identity variant signed at {@code created} and
     * the gzip variant (the deterministic gzip a subscriber rebuilds) signed at {@code gzipCreated},
     * each for a day: what an upstream that pairs signings of the two variants sends.
     */
    Representation publishWithGzip(String target, String resourceId, String body, Instant created,
                                   Instant gzipCreated) {
        return publishWithGzip(target, resourceId, body, created, gzipCreated, "gzip");
    }

    /**
     * As {@link #publishWithGzip(String, String, String, Instant, Instant)}, the gzip variant's
     * {@code content-encoding} field (not signed) written as {@code contentEncoding}.
     */
    Representation publishWithGzip(String target, String resourceId, String body, Instant created,
                                   Instant gzipCreated, String contentEncoding) {
        Representation identity = sign(target, resourceId, body, created);
        AltoResource resource = AltoResource.of(resourceId, target);
        Variant signed = origin.sign(resource, Gzip.deterministic(identity.identity().body()), false, gzipCreated,
                Duration.ofDays(1), 60).identity();
        List<HeaderField> fields = new ArrayList<>(signed.headers());
        fields.add(1, new HeaderField("content-encoding", contentEncoding)); // not signed, as at the origin
        Representation r = new Representation(identity.identity(), new Variant(signed.body(), "gzip", fields),
                identity.maxAgeSeconds(), identity.created(), identity.expires());
        publisher.accept(target, r);
        return r;
    }

    private Representation sign(String target, String resourceId, String body, Instant created) {
        return sign(target, resourceId, body, created, Duration.ofDays(1));
    }

    private Representation sign(String target, String resourceId, String body, Instant created, Duration validity) {
        Bytes jcs = Bytes.wrap(Jcs.canonicalize(body.getBytes(StandardCharsets.UTF_8)));
        return origin.sign(AltoResource.of(resourceId, target), jcs, false, created, validity, 60);
    }

    /** A network map large enough that a change of one PID travels as a merge patch. */
    static String networkMap(int a, int b) {
        StringBuilder sb = new StringBuilder("{\"network-map\":{\"A\":{\"ipv4\":[\"10.0.").append(a)
                .append(".0/24\"]},\"B\":{\"ipv4\":[\"10.1.").append(b).append(".0/24\"]}");
        for (int i = 0; i < 40; i++) {
            sb.append(",\"P").append(i).append("\":{\"ipv4\":[\"10.9.").append(i).append(".0/24\"]}");
        }
        return sb.append("}}").toString();
    }

    /** Waits (in real time, at most 10 s) until {@code condition} holds. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        if (!within(Duration.ofSeconds(10), condition)) {
            fail("timed out waiting until " + what);
        }
    }

    /** Whether {@code condition} came to hold within {@code window} (real time, looked at every 10 ms). */
    static boolean within(Duration window, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + window.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() {
        server.close();
        publisher.close();
    }
}
