package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.tls.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push feed: holds a subscription to the upstream's update stream, verifies
 * every update before anything sees it, and hands verified representations to its
 * {@link Output} (the store, which the proxy's own publisher follows, so updates travel on down
 * the tree). It starts from the upstream's signed directory, subscribes to every document the
 * stream offers (directory resources, then the directory itself and the XML documents its first
 * control event lists, added through the control URI) and, on every reconnect, resubscribes with
 * the entity tags it holds, so it is sent only what changed meanwhile.
 *
 * <p>An {@code https} upstream is trusted only when its certificate chains to the configured CA
 * (or the JDK's trust store) and names the host; otherwise nothing is read from it, and
 * {@link #notReadyBecause()} says why.
 *
 * <p>A stream that breaks, ends, or stays silent for the read timeout (half-open TCP) is replaced
 * after a backoff that doubles up to a maximum, with jitter; the held versions stay in service
 * meanwhile (the app composes pull for anything that nears expiry). A rejected update (bad
 * signature, wrong digest, rollback...) is logged and counted, and the held version stays.
 *
 * <p>Threads: one feed thread does everything (SSE parsing, JSON, patches, verification); the
 * Netty event loop only copies bytes to it.
 */
public final class PushFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushFeed.class);

    /** Receives each verified representation, on the feed's thread. */
    @FunctionalInterface
    public interface Output {
        void verified(String target, Representation representation);
    }

    /** Counters, for metrics and tests. */
    public record Stats(boolean connected, long connects, long updates, long renewals, long rejected) {
    }

    private final PushFeedConfig config;
    private final UpdateApplier applier;
    private final ResponseVerifier verifier;
    private final Output output;
    private final ScheduledExecutorService thread;
    private final EventLoopGroup group;
    private final HttpClient http;
    private final SslContext tls;
    private final Random jitter = new Random();
    private final Map<String, Representation> held = new HashMap<>();
    private final Map<String, String> documents = new LinkedHashMap<>();
    private final Map<String, String> substreamOf = new HashMap<>();
    private final Map<String, String> targetOf = new HashMap<>();
    private final Map<String, UpdateApplier.Data> pendingData = new HashMap<>();
    private final AtomicLong unprocessed = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean connected;
    private volatile Map<String, Representation> heldView = Map.of();
    private volatile boolean everOpened;
    private volatile String lastFailure;
    private URI streamUri;
    private URI controlUri;
    private UpstreamStream stream;
    private SseParser parser;
    private int generation;
    private int failures;
    private boolean closed;

    private PushFeed(PushFeedConfig config, ResponseVerifier verifier, Output output) {
        this.config = config;
        this.verifier = verifier;
        this.applier = new UpdateApplier(verifier);
        this.output = output;
        // TLS first: a bad CA file fails the start before any thread exists.
        this.tls = config.https() ? Tls.client(config.ca()) : null;
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (config.https()) {
            http.sslContext(Tls.jdkClient(config.ca()));
        }
        this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("rproxy-push-feed"));
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rproxy-push-io"),
                NioIoHandler.newFactory());
        this.http = http.executor(thread).build();
    }

    /** Starts subscribing in the background; returns at once. */
    public static PushFeed start(PushFeedConfig config, ResponseVerifier verifier, Output output) {
        PushFeed feed = new PushFeed(requireNonNull(config, "config"), requireNonNull(verifier, "verifier"),
                requireNonNull(output, "output"));
        feed.run(feed::connect);
        return feed;
    }

    public Stats stats() {
        return new Stats(connected, connects.get(), updates.get(), renewals.get(), rejected.get());
    }

    /**
     * Null once a stream from the upstream has opened (later outages are ridden out on what is
     * held), else why not yet: the last failure, such as a certificate the CA does not vouch for.
     */
    public String notReadyBecause() {
        if (everOpened) {
            return null;
        }
        String why = lastFailure;
        return "no update stream from " + config.upstream() + " yet" + (why == null ? "" : ": " + why);
    }

    /** The verified representations held, by request target (a snapshot). */
    public Map<String, Representation> held() {
        return heldView;
    }

    // ---- connecting ------------------------------------------------------------------------

    private void connect() {
        if (closed) {
            return;
        }
        if (streamUri == null) {
            discover();
            return;
        }
        int gen = ++generation;
        boolean https = "https".equalsIgnoreCase(streamUri.getScheme());
        if (https && tls == null) {
            lost(gen, "the update stream " + streamUri + " is https but the upstream " + config.upstream() + " is not");
            return;
        }
        parser = new SseParser(config.maxEventBytes(), e -> onEvent(gen, e), () -> { });
        pendingData.clear();
        byte[] body = subscription();
        connects.incrementAndGet();
        AtomicReference<UpstreamStream> self = new AtomicReference<>();
        stream = UpstreamStream.open(group, streamUri, https ? tls : null, body, config.readTimeout(), listener(gen, self));
        self.set(stream);
    }

    /** Hands what happens on the stream of {@code gen} to the feed's thread. */
    private UpstreamStream.Listener listener(int gen, AtomicReference<UpstreamStream> self) {
        return new UpstreamStream.Listener() {
            @Override
            public void opened() {
                run(() -> {
                    if (gen == generation) {
                        connected = true;
                        everOpened = true;
                    }
                });
            }

            @Override
            public void bytes(byte[] data) {
                UpstreamStream s = self.get();
                if (unprocessed.addAndGet(data.length) > UpstreamStream.MAX_UNPROCESSED && s != null) {
                    s.autoRead(false);
                }
                run(() -> feed(gen, data));
            }

            @Override
            public void closed(String reason) {
                run(() -> lost(gen, reason));
            }
        };
    }

    /** Reads the upstream's signed directory for the update stream's URI and the resources it offers. */
    private void discover() {
        URI dir = config.upstream().resolve("/directory");
        HttpRequest req = HttpRequest.newBuilder(dir).timeout(config.readTimeout().plusSeconds(5)).GET().build();
        int gen = ++generation;
        http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).whenCompleteAsync((resp, failure) -> {
            if (gen != generation || closed) {
                return;
            }
            if (failure != null || resp.statusCode() != 200) {
                lost(gen, failure != null ? "directory: " + unwrap(failure) : "directory: status " + resp.statusCode());
                return;
            }
            try {
                useDirectory(resp);
                connect();
            } catch (RuntimeException e) {
                lost(gen, "directory: " + e.getMessage());
            }
        }, thread);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void useDirectory(HttpResponse<byte[]> resp) {
        Representation dir = PulledDocument.verify("/directory", resp, verifier);
        JsonNode ird = Jcs.parse(resp.body());
        String uri = null;
        for (Map.Entry<String, JsonNode> e : ird.path("resources").properties()) {
            JsonNode r = e.getValue();
            if (MediaTypes.EVENT_STREAM.equals(r.path("media-type").asText())) {
                uri = r.path("uri").asText();
                for (JsonNode used : r.path("uses")) {
                    String target = ird.path("resources").path(used.asText()).path("uri").asText(null);
                    if (target != null) {
                        documents.putIfAbsent(target, used.asText());
                    }
                }
            }
        }
        if (uri == null) {
            throw new IllegalStateException("the upstream directory advertises no update stream");
        }
        documents.putIfAbsent("/directory", "directory");
        streamUri = config.upstream().resolve(uri);
        accept("/directory", dir, true);
    }

    /** The stream parameters: every document known, each with the tag held. */
    private byte[] subscription() {
        ObjectNode add = JsonNodeFactory.instance.objectNode();
        documents.forEach((target, id) -> add.set(substream(target), addEntry(target, id)));
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("add", add);
        // Whatever the upstream's default, this proxy verifies every update with them.
        root.put(StreamRequest.SIGNATURES_MEMBER, true);
        return Jcs.canonicalize(root);
    }

    private ObjectNode addEntry(String target, String id) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("resource-id", id);
        o.put("path", target);
        Representation r = held.get(target);
        if (r != null) {
            String etag = r.identity().etag();
            o.put("tag", etag.substring(1, etag.length() - 1));
        }
        return o;
    }

    private String substream(String target) {
        return substreamOf.computeIfAbsent(target, t -> {
            String id = "d" + (substreamOf.size() + 1);
            targetOf.put(id, t);
            return id;
        });
    }

    private void lost(int gen, String reason) {
        if (gen != generation || closed) {
            return;
        }
        generation++;
        connected = false;
        lastFailure = reason;
        if (stream != null) {
            stream.close();
            stream = null;
        }
        long base = Math.min(config.maxBackoff().toMillis(),
                config.initialBackoff().toMillis() << Math.min(20, failures));
        long delay = base / 2 + (long) (jitter.nextDouble() * (base / 2.0));
        failures++;
        LOG.warn("update stream from {} lost ({}); reconnecting in {} ms", config.upstream(), reason, delay);
        try {
            thread.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    // ---- events ----------------------------------------------------------------------------

    private void feed(int gen, byte[] data) {
        long left = unprocessed.addAndGet(-data.length);
        if (gen != generation) {
            return;
        }
        try {
            parser.feed(data, 0, data.length);
        } catch (RuntimeException e) {
            lost(gen, "bad event stream: " + e.getMessage());
            return;
        }
        if (left < UpstreamStream.MAX_UNPROCESSED / 2 && stream != null) {
            stream.autoRead(true);
        }
    }

    private void onEvent(int gen, SseParser.Event e) {
        if (gen != generation) {
            return;
        }
        String type = e.type();
        int comma = type.lastIndexOf(',');
        if (comma < 0) {
            if (type.equals(MediaTypes.UPDATE_STREAM_CONTROL)) {
                onControl(e.data());
            }
            return;
        }
        String media = type.substring(0, comma);
        String target = targetOf.get(type.substring(comma + 1));
        if (target == null) {
            return;
        }
        if (media.equals(SignatureEvent.MEDIA_TYPE)) {
            onSignature(target, e.data());
        } else {
            pendingData.put(target, new UpdateApplier.Data(media.equals(MediaTypes.MERGE_PATCH), e.data()));
        }
    }

    private void onSignature(String target, Bytes data) {
        UpdateApplier.Data d = pendingData.remove(target);
        SignatureEvent sig;
        try {
            sig = SignatureEvent.parse(data);
        } catch (IllegalArgumentException ex) {
            reject(target, ex.getMessage());
            return;
        }
        UpdateApplier.Result r = applier.apply(target, held.get(target), d, sig);
        if (r instanceof UpdateApplier.Result.Rejected no) {
            reject(target, no.reason());
            return;
        }
        UpdateApplier.Result.Applied ok = (UpdateApplier.Result.Applied) r;
        accept(target, ok.representation(), ok.newBytes());
    }

    private void accept(String target, Representation r, boolean newBytes) {
        held.put(target, r);
        heldView = Map.copyOf(held);
        (newBytes ? updates : renewals).incrementAndGet();
        try {
            output.verified(target, r);
        } catch (RuntimeException e) {
            LOG.warn("feed output failed for {}", target, e);
        }
    }

    private void reject(String target, String reason) {
        rejected.incrementAndGet();
        LOG.warn("update for {} rejected, the held version stays: {}", target, reason);
    }

    private void onControl(Bytes data) {
        JsonNode c;
        try {
            c = Jcs.parse(data.unsafeArray());
        } catch (RuntimeException ex) {
            return;
        }
        if (c.hasNonNull("control-uri")) {
            controlUri = streamUri.resolve(c.get("control-uri").asText());
            failures = 0;
        }
        ObjectNode more = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> doc : c.path(UpdatePublisher.DOCUMENTS_MEMBER).properties()) {
            if (!documents.containsKey(doc.getKey()) && doc.getValue().isTextual()) {
                documents.put(doc.getKey(), doc.getValue().asText());
                more.set(substream(doc.getKey()), addEntry(doc.getKey(), doc.getValue().asText()));
            }
        }
        if (!more.isEmpty() && controlUri != null) {
            addSubstreams(more);
        }
        if (c.has("stopped")) {
            LOG.info("upstream stopped substreams {}: {}", c.get("stopped"), c.path("description").asText(""));
        }
    }

    private void addSubstreams(ObjectNode add) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("add", add);
        HttpRequest req = HttpRequest.newBuilder(controlUri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", MediaTypes.UPDATE_STREAM_PARAMS)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Jcs.canonicalize(root))).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).whenComplete((resp, failure) -> {
            if (failure != null || resp.statusCode() != 204) {
                LOG.warn("adding substreams {} failed: {}", add.fieldNames().hasNext() ? add : "",
                        failure != null ? unwrap(failure).toString() : resp.statusCode() + " " + resp.body());
            }
        });
    }

    private void run(Runnable task) {
        OwnThread.run(thread, task, LOG, "push feed");
    }

    @Override
    public void close() {
        run(() -> {
            closed = true;
            generation++;
            if (stream != null) {
                stream.close();
            }
        });
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
