package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.rproxy.core.concurrent.FatalErrors;
import org.rproxy.core.concurrent.GuardedThread;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.StreamSink;
import org.rproxy.core.server.UpdateStreamMount;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.SignatureEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The update stream server of RFC 8895, used alike by the origin and the signing front (as their
 * {@link UpdateStreamMount}) and by every proxy, pull or push (fed from its store): subscribers
 * {@code POST} an {@code application/alto-updatestreamparams+json} body to
 * {@link UpdateStreamConfig#path()} and get a {@code text/event-stream}: first a control event
 * with the stream's absolute control URI, then per substream the current version (nothing when
 * the subscriber's tag, an entity tag or the ALTO vtag, names it), then every change as it
 * happens, full or as a merge patch when smaller, each followed, unless the stream asked
 * otherwise, by this project's signature event ({@link SignatureEvent}); a signature renewal is
 * a signature event alone. A substream with {@code input} follows the answer of a query resource
 * ({@link QueryAnswers}). The control URI adds and removes substreams on the live stream
 * (RFC 8895 §7) and answers {@code 204}.
 *
 * <p>Threads: one publisher thread owns every document and subscription; request parsing, patch
 * making and event encoding run there, never on an event loop. Writes go to each subscriber's
 * {@link StreamSink}; a subscriber whose window is full gets nothing more until it drains, and is
 * then sent the latest version (coalescing, counted), or is disconnected (counted) when it has
 * not drained for {@link UpdateStreamConfig#stallTimeout()}. A slow subscriber costs the others
 * nothing. All subscribers together hold at most {@link UpdateStreamConfig#maxPendingBytes()}
 * and one event (what the transport holds off-heap for their sockets): past that, a subscriber
 * with something to send waits its turn, coalesced likewise ({@link PendingBudget}), so however
 * many never read, the node's direct memory serves its other connections. Every method may be
 * called from any thread.
 */
public final class UpdatePublisher implements UpdateStreamMount, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpdatePublisher.class);
    /** This extension's control event member: every document the stream offers, path to resource id. */
    static final String DOCUMENTS_MEMBER = "alto-redist-documents";

    private final UpdateStreamConfig config;
    private final String controlPrefix;
    private final ScheduledExecutorService thread;
    private final Map<String, Track> tracks = new HashMap<>();
    private final QueryAnswers answers = new QueryAnswers(this::run, this::changed,
            (key, e) -> stop(key, "the query's input is no longer valid: " + e.message()));
    private final Followers followers = new Followers(answers);
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    private final Delivery delivery;
    private final StreamService service;
    private final AtomicLong open = new AtomicLong();
    private final DocumentIntake intake = new DocumentIntake(tracks, subscriptions, followers);
    /** Set once {@link #close} starts: streams opening from then on are closed, not started. */
    private volatile boolean closed;
    /** Every target {@link #accept} has taken (streamed, or passed over as not streamable); read from any thread. */
    private final Set<String> taken = ConcurrentHashMap.newKeySet();

    /**
     * Counters, for {@link StreamMeters} and tests.
     *
     * @param pendingBytes    bytes of events sent to subscribers and not yet through their sockets
     * @param maxPendingBytes the bound on {@code pendingBytes} ({@link UpdateStreamConfig#maxPendingBytes()})
     * @param deferred        times a subscriber with something to send began to wait for that bound
     */
    public record Stats(long subscribers, long updates, long coalesced, long disconnected, long pendingBytes,
                        long maxPendingBytes, long deferred) {
    }

    public UpdatePublisher(UpdateStreamConfig config) {
        this(config, System::nanoTime);
    }

    /** @param nanoTime the clock that times stalled subscribers ({@code System::nanoTime} in service) */
    UpdatePublisher(UpdateStreamConfig config, LongSupplier nanoTime) {
        this.config = requireNonNull(config, "config");
        this.controlPrefix = config.path() + "/control/";
        this.thread = new GuardedThread("rproxy-push-publisher", "update stream publisher", LOG, FatalErrors.EXIT);
        long check = Math.max(20, config.stallTimeout().toMillis() / 4);
        this.delivery = new Delivery(thread, this::track, intake::untravelled, config.stallTimeout(),
                config.maxPendingBytes(), nanoTime);
        this.service = new StreamService(this, config, tracks, subscriptions, answers, followers, delivery, open);
        thread.scheduleWithFixedDelay(() -> delivery.disconnectStalled(subscriptions.values(), this::detach),
                check, check, TimeUnit.MILLISECONDS);
    }

    @Override
    public String path() {
        return config.path();
    }

    public Stats stats() {
        PendingBudget budget = delivery.budget();
        return new Stats(open.get(), intake.updates.get(), intake.coalesced.get(), delivery.disconnected(),
                budget.pending(), budget.max(), delivery.deferred());
    }

    /** The versions of documents not streamed, by target and reason (meters and tests). */
    NotStreamed notStreamed() {
        return intake.notStreamed;
    }

    /** Registers the {@link StreamMeters} of this publisher. */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        StreamMeters.publisher(registry, this);
    }

    /** A signed document now served at {@code target}; unsigned or query answers are ignored. */
    public void accept(String target, Representation r) {
        requireNonNull(target, "target");
        requireNonNull(r, "r");
        if (!Track.streamable(r)) {
            taken.add(target);
            return;
        }
        run(() -> {
            if (intake.update(target, r)) {
                answers.recomputeAll();
            }
            taken.add(target);
            pumpAll();
        });
    }

    /**
     * True once a version of the document at {@code target}, offered to {@link #accept}, has been
     * taken, so a stream opened from now on starts with it: a node holding documents is ready to
     * stream once this holds for each (else a subscriber could get a cost map before the network
     * map it depends on, which arrives as a later addition).
     */
    public boolean hasTaken(String target) {
        return taken.contains(target);
    }

    /**
     * Query answers computed by the wrapped service may have changed although no document this
     * publisher streams did (a pull proxy has read its held maps again): every followed answer is
     * computed again.
     */
    public void answersChanged() {
        run(answers::recomputeAll);
    }

    /**
     * The documents some substream follows, by request target (a snapshot, safe from any thread):
     * a node that fetches on demand keeps them fresh as if clients asked for them.
     */
    public Set<String> followedTargets() {
        return followers.documents();
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
            boolean changed = false;
            for (Map.Entry<String, Representation> e : copy.entrySet()) {
                if (Track.streamable(e.getValue())) {
                    changed |= intake.update(e.getKey(), e.getValue());
                }
            }
            if (changed) {
                answers.recomputeAll();
            }
            pumpAll();
        });
    }

    private void drop(String target) {
        taken.remove(target);
        if (tracks.remove(target) != null) {
            // RFC 8895: a stop is final and only the client starts a substream: say how to follow it again
            stop(target, "the document at " + target + " is no longer served; this substream is over: to follow the"
                    + " document should it be served again, add the substream again through the control URI (refused"
                    + " while it is not)");
        }
    }

    /** Stops every substream following {@code key} (a document, or a query), telling its stream why. */
    private void stop(String key, String why) {
        followers.unfollowAll(key).forEach((s, ids) -> {
            s.control(ControlEvents.stopped(ids, why));
            delivery.pump(s);
        });
    }

    /** A followed query answer has a new version: its followers are due. */
    private void changed(String key) {
        followers.changed(key);
        pumpAll();
    }

    /** Mounts the stream on {@code documents}, which also computes the answers of POST-mode substreams. */
    @Override
    public AltoService wrap(AltoService documents) {
        requireNonNull(documents, "documents");
        answers.computeWith(documents);
        return request -> {
            if (request.path().equals(config.path()) || request.path().startsWith(controlPrefix)) {
                return service.handle(request, thread);
            }
            return documents.handle(request);
        };
    }

    /**
     * The front end wrote the head of {@code s}'s stream on {@code sink} (any thread): it starts on
     * the publisher's thread, or is closed here once the publisher stops, whose thread may not
     * run the start (else close()'s closing task, handed over after it, closes it).
     */
    void opened(Subscription s, StreamSink sink, String controlUri) {
        run(() -> attach(s, sink, controlUri));
        if (closed) {
            sink.close();
        }
    }

    private void attach(Subscription s, StreamSink sink, String controlUri) {
        if (closed || !subscriptions.containsKey(s.token)) {
            sink.close();
            return;
        }
        sink.onWritten(delivery.budget()::written); // before anything is sent on it
        s.attach(sink);
        sink.onClose(() -> run(() -> detach(s)));
        sink.onWritable(() -> run(() -> delivery.pump(s)));
        Map<String, String> docs = new TreeMap<>();
        tracks.forEach((target, t) -> docs.put(target, t.resourceId()));
        s.control(ControlEvents.opened(controlUri, docs));
        delivery.pump(s);
    }

    private void detach(Subscription s) {
        delivery.forget(s);
        if (subscriptions.remove(s.token) != null) {
            open.decrementAndGet();
            new ArrayList<>(s.substreams().keySet()).forEach(id -> followers.unfollow(s, id));
        }
    }

    private void pumpAll() {
        delivery.pumpAll(subscriptions.values());
    }

    /** A document by request target, or a query answer by its key. */
    private Track track(String key) {
        return key.startsWith("/") ? tracks.get(key) : answers.track(key);
    }

    void run(Runnable task) {
        OwnThread.run(thread, task, LOG, "update stream publisher");
    }

    /**
     * Closes every stream and stops the publisher thread; a stream whose head the front end writes
     * from now on is closed as it opens ({@link #opened}). Once is enough: another call returns.
     */
    @Override
    public void close() {
        if (closed) {
            return; // closed already, or closing on another thread
        }
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(() -> {
            subscriptions.values().forEach(Subscription::close);
            done.complete(null);
        });
        done.completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
        thread.shutdownNow();
    }
}
