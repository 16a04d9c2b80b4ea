package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.origin.OriginStream;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.Reply;
import org.rproxy.core.server.StreamSink;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The update stream server of RFC 8895, used alike by the origin (as its {@link OriginStream})
 * and by every proxy (fed from its store): subscribers {@code POST} an
 * {@code application/alto-updatestreamparams+json} body to {@link UpdateStreamConfig#path()} and
 * get a {@code text/event-stream}: first a control event with the stream's control URI, then per
 * substream the current version (nothing when the subscriber's tag is current), then every
 * change as it happens, full or as a merge patch when smaller, each followed by a signature event
 * ({@link SignatureEvent}); a signature renewal is a signature event alone. The control URI adds
 * and removes substreams on the live stream (RFC 8895 §7) and answers {@code 204}.
 *
 * <p>Threads: one publisher thread owns every document and subscription; request parsing, patch
 * making and event encoding run there, never on an event loop. Writes go to each subscriber's
 * {@link StreamSink}; a subscriber whose window is full gets nothing more until it drains, and is
 * then sent the latest version (coalescing, counted), or is disconnected (counted) when it has
 * not drained for {@link UpdateStreamConfig#stallTimeout()}. A slow subscriber costs the others
 * nothing. Every method may be called from any thread.
 */
public final class UpdatePublisher implements OriginStream, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpdatePublisher.class);
    /** This extension's control event member: every document the stream offers, path to resource id. */
    static final String DOCUMENTS_MEMBER = "alto-redist-documents";
    private static final long WAITING_POLL_MILLIS = 10;

    private final UpdateStreamConfig config;
    private final String controlPrefix;
    private final ScheduledExecutorService thread;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Track> tracks = new HashMap<>();
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    /** Subscribers blocked by a window smaller than their sink's; publisher thread only. */
    private final Set<Subscription> waiting = new HashSet<>();
    private ScheduledFuture<?> waitingPoll;
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();
    private final AtomicLong disconnected = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();

    /** Counters, for metrics and tests. */
    public record Stats(long subscribers, long updates, long coalesced, long disconnected) {
    }

    public UpdatePublisher(UpdateStreamConfig config) {
        this.config = requireNonNull(config, "config");
        this.controlPrefix = config.path() + "/control/";
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rproxy-push-publisher");
            t.setDaemon(true);
            return t;
        });
        long check = Math.max(20, config.stallTimeout().toMillis() / 4);
        thread.scheduleWithFixedDelay(this::disconnectStalled, check, check, TimeUnit.MILLISECONDS);
    }

    @Override
    public String path() {
        return config.path();
    }

    public Stats stats() {
        return new Stats(open.get(), updates.get(), coalesced.get(), disconnected.get());
    }

    // ---- documents in -------------------------------------------------------------------

    /** A signed document now served at {@code target}; unsigned or query answers are ignored. */
    public void accept(String target, Representation r) {
        requireNonNull(target, "target");
        requireNonNull(r, "r");
        if (!streamable(r)) {
            return;
        }
        run(() -> {
            update(target, r);
            pumpAll();
        });
    }

    /** The document at {@code target} is no longer served: its substreams are stopped. */
    public void remove(String target) {
        requireNonNull(target, "target");
        run(() -> drop(target));
    }

    /** The whole set of documents now served (the origin's installs). */
    @Override
    public void installed(Map<String, Representation> documents) {
        Map<String, Representation> copy = Map.copyOf(documents);
        run(() -> {
            for (String gone : new ArrayList<>(tracks.keySet())) {
                if (!copy.containsKey(gone)) {
                    drop(gone);
                }
            }
            copy.forEach((target, r) -> {
                if (streamable(r)) {
                    update(target, r);
                }
            });
            pumpAll();
        });
    }

    private static boolean streamable(Representation r) {
        return r.identity().signed() && r.identity().etag() != null
                && r.identity().header("alto-resource").isPresent();
    }

    private void update(String target, Representation r) {
        Track t = tracks.computeIfAbsent(target, Track::new);
        String before = t.current() == null ? null : t.etag();
        Track.Change change;
        try {
            change = t.update(r);
        } catch (RuntimeException e) {
            LOG.warn("not streaming {}: {}", target, e.toString());
            if (t.current() == null) {
                tracks.remove(target);
            }
            return;
        }
        if (before == null) {
            // A document that appeared after streams opened: tell them, so that proxies follow it too.
            for (Subscription s : subscriptions.values()) {
                if (s.attached()) {
                    s.control(ControlEvents.documents(Map.of(target, t.resourceId())));
                }
            }
        }
        if (change == Track.Change.NEW_VERSION && before != null) {
            updates.incrementAndGet();
            for (Subscription s : subscriptions.values()) {
                for (Subscription.Substream sub : s.substreams().values()) {
                    if (sub.target.equals(target) && s.attached() && !before.equals(sub.sentEtag)) {
                        coalesced.incrementAndGet();
                    }
                }
            }
        }
    }

    private void drop(String target) {
        if (tracks.remove(target) == null) {
            return;
        }
        for (Subscription s : subscriptions.values()) {
            List<String> stopped = new ArrayList<>();
            for (Subscription.Substream sub : new ArrayList<>(s.substreams().values())) {
                if (sub.target.equals(target)) {
                    s.remove(sub.id);
                    stopped.add(sub.id);
                }
            }
            if (!stopped.isEmpty()) {
                s.control(ControlEvents.stopped(stopped, "the document at " + target + " is no longer served"));
                pump(s);
            }
        }
    }

    // ---- the service ----------------------------------------------------------------------

    @Override
    public AltoService wrap(AltoService documents) {
        requireNonNull(documents, "documents");
        return request -> {
            if (request.path().equals(config.path())) {
                return onThread(request, () -> open(request));
            }
            if (request.path().startsWith(controlPrefix)) {
                return onThread(request, () -> control(request));
            }
            return documents.handle(request);
        };
    }

    private CompletionStage<Reply> onThread(AltoRequest request, Supplier<Reply> work) {
        if (!request.method().equals("POST")) {
            return done(error(AltoError.invalidValue("method", request.method(), request.path() + " accepts POST only")
                    .withStatus(405)));
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return work.get();
                } catch (AltoException e) {
                    return error(e.error());
                }
            }, thread);
        } catch (RejectedExecutionException e) {
            return done(unavailable("the update stream is stopping"));
        }
    }

    private Reply open(AltoRequest request) {
        checkType(request);
        StreamRequest req = StreamRequest.parse(request.body());
        if (!req.remove().isEmpty()) {
            throw new AltoException(AltoError.invalidValue("remove", null, "only a stream control request removes"));
        }
        if (req.add().isEmpty()) {
            throw new AltoException(AltoError.missingField("add"));
        }
        if (tracks.isEmpty()) {
            return unavailable("no documents yet; try again");
        }
        if (open.get() >= config.maxSubscribers()) {
            return unavailable("too many update streams open; try again later");
        }
        Subscription s = new Subscription(token(), System.nanoTime(), config.windowBytes());
        resolve(req, s).forEach(s::add);
        subscriptions.put(s.token, s);
        open.incrementAndGet();
        return new Reply.Stream(config.heartbeat(), sink -> run(() -> attach(s, sink)));
    }

    private void attach(Subscription s, StreamSink sink) {
        if (!subscriptions.containsKey(s.token)) {
            sink.close();
            return;
        }
        s.attach(sink);
        sink.onClose(() -> run(() -> detach(s)));
        sink.onWritable(() -> run(() -> pump(s)));
        Map<String, String> docs = new TreeMap<>();
        tracks.forEach((target, t) -> docs.put(target, t.resourceId()));
        s.control(ControlEvents.opened(controlPrefix + s.token, docs));
        pump(s);
    }

    private void detach(Subscription s) {
        waiting.remove(s);
        if (subscriptions.remove(s.token) != null) {
            open.decrementAndGet();
        }
    }

    private Reply control(AltoRequest request) {
        Subscription s = subscriptions.get(request.path().substring(controlPrefix.length()));
        if (s == null || (s.attached() && !s.open())) {
            throw new AltoException(AltoError.invalidValue("uri", request.path(), "no such update stream (closed?)")
                    .withStatus(404));
        }
        checkType(request);
        StreamRequest req = StreamRequest.parse(request.body());
        for (int i = 0; i < req.remove().size(); i++) {
            if (!s.substreams().containsKey(req.remove().get(i))) {
                throw new AltoException(AltoError.invalidValue("remove[" + i + "]", req.remove().get(i),
                        "no such substream"));
            }
        }
        for (String id : req.add().keySet()) {
            if (s.substreams().containsKey(id) && !req.remove().contains(id)) {
                throw new AltoException(AltoError.invalidValue("add." + id, id, "substream id already in use"));
            }
        }
        List<Subscription.Substream> added = resolve(req, s);
        req.remove().forEach(s::remove);
        added.forEach(s::add);
        if (!req.remove().isEmpty()) {
            s.control(ControlEvents.stopped(req.remove(), "removed by the client"));
        }
        if (!added.isEmpty()) {
            s.control(ControlEvents.started(added.stream().map(a -> a.id).toList()));
        }
        pump(s);
        if (s.substreams().isEmpty()) {
            // RFC 8895 §7: with no substream left the stream has nothing to say; end it.
            s.close();
        }
        return new Reply.NoContent();
    }

    /** The substreams of {@code req.add()}, each bound to a document; refuses unknown ones. */
    private List<Subscription.Substream> resolve(StreamRequest req, Subscription s) {
        List<Subscription.Substream> out = new ArrayList<>();
        req.add().forEach((id, add) -> {
            String target = target(id, add);
            String held = add.tag() == null ? null : add.tag().startsWith("\"") ? add.tag() : '"' + add.tag() + '"';
            out.add(new Subscription.Substream(id, target, add.incremental(), held));
        });
        return out;
    }

    private String target(String id, StreamRequest.Add add) {
        String p = "add." + id;
        if (add.path() != null) {
            Track t = tracks.get(add.path());
            if (t == null) {
                throw new AltoException(AltoError.invalidValue(p + ".path", add.path(), "no such document"));
            }
            if (!t.resourceId().equals(add.resourceId())) {
                throw new AltoException(AltoError.invalidValue(p + ".resource-id", add.resourceId(),
                        add.path() + " answers " + t.resourceId()));
            }
            return add.path();
        }
        String xml = null;
        for (Track t : tracks.values()) {
            if (t.resourceId().equals(add.resourceId())) {
                if (t.json()) {
                    return t.target;
                }
                xml = t.target;
            }
        }
        if (xml != null) {
            return xml;
        }
        throw new AltoException(AltoError.invalidValue(p + ".resource-id", add.resourceId(),
                "not a resource this update stream offers"));
    }

    private static void checkType(AltoRequest request) {
        String t = request.contentType();
        if (!MediaTypes.UPDATE_STREAM_PARAMS.equals(t) && !MediaTypes.UPDATE_STREAM_CONTROL.equals(t)) {
            throw new AltoException(AltoError.invalidValue("content-type", t,
                    "expected " + MediaTypes.UPDATE_STREAM_PARAMS).withStatus(415));
        }
    }

    // ---- sending ---------------------------------------------------------------------------

    private void pumpAll() {
        for (Subscription s : new ArrayList<>(subscriptions.values())) {
            pump(s);
        }
    }

    private void pump(Subscription s) {
        try {
            s.pump(tracks::get, System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("update stream {} failed; closing it", s.token, e);
            s.close();
        }
        if (s.waitsUnsignalled()) {
            waiting.add(s);
            pollWaiting();
        } else {
            waiting.remove(s);
        }
    }

    /** Looks again, shortly, at the subscribers whose window is below the sink's (no drain callback). */
    private void pollWaiting() {
        if (waitingPoll != null) {
            return;
        }
        try {
            waitingPoll = thread.schedule(this::pumpWaiting, WAITING_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void pumpWaiting() {
        waitingPoll = null;
        List<Subscription> again = new ArrayList<>(waiting);
        waiting.clear();
        again.forEach(this::pump);
    }

    private void disconnectStalled() {
        long since = System.nanoTime() - config.stallTimeout().toNanos();
        Set<Subscription> stalled = new HashSet<>();
        for (Subscription s : new ArrayList<>(subscriptions.values())) {
            if (s.stalledSince(since, tracks::get)) {
                stalled.add(s);
            } else if (!s.attached() && s.createdNanos < since) {
                // Its connection went before the stream could start.
                detach(s);
            }
        }
        for (Subscription s : stalled) {
            disconnected.incrementAndGet();
            LOG.info("update stream subscriber stalled for {}; disconnected", config.stallTimeout());
            s.close();
        }
    }

    private String token() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void run(Runnable task) {
        OwnThread.run(thread, task, LOG, "update stream publisher");
    }

    private static Reply error(AltoError e) {
        return Reply.error(e, Dialect.JSON);
    }

    private static Reply unavailable(String why) {
        return error(AltoError.serverCondition(why, 503));
    }

    private static CompletionStage<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }

    /** Closes every stream and stops the publisher thread. */
    @Override
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        run(() -> {
            subscriptions.values().forEach(Subscription::close);
            closed.complete(null);
        });
        closed.completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
        thread.shutdownNow();
    }
}
