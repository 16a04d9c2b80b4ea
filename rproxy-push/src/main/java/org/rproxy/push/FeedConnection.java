package org.rproxy.push;

import java.net.URI;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import org.rproxy.core.concurrent.Backoff;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.stream.SseParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of the push feed's subscription, one stream after another: reads the upstream's
 * directory ({@link StreamDiscovery}) for the stream's URI (before every stream, so a stream that
 * moved is found where the directory now names it), opens a {@link FeedStream} naming the
 * documents followed with the tags held, hands its events to {@link FeedEvents}, and when it is
 * refused, breaks, ends or stays silent, or when the upstream does not take a control request made
 * on it, replaces it after the {@link Backoff} (from the next upstream, {@link UpstreamChoice},
 * which another upstream's own directory names); and goes back to a preferred upstream when told,
 * once its stream, tried beside the working one ({@link FeedReturn}), has proved itself. The
 * backoff starts afresh when a stream has <b>proved itself</b> ({@link #proved}: an update on it
 * verified, or a heartbeat came), not when it is merely accepted, so an upstream that accepts
 * every stream and closes it or falls silent is retried at doubling waits; nor then when the
 * stream before was lost for the upstream's fault (a control request it did not take, an event
 * stream the feed could not read): an upstream whose every stream fails so is retried at doubling
 * waits too ({@link StreamProof}). Each stream has a generation: whatever a replaced stream still says is ignored. Knows
 * whether a stream the upstream accepted is open now and whether one ever was.
 *
 * <p>Not thread-safe apart from the volatile state it reports: runs on the feed's own thread.
 */
final class FeedConnection {

    /** The push feed's logger: the stream's life is the feed's news. */
    private static final Logger LOG = LoggerFactory.getLogger(PushFeed.class);

    private final PushFeedConfig config;
    private final ResponseVerifier verifier;
    private final FeedNetwork network;
    private final UpstreamChoice upstreams;
    private final Substreams substreams;
    private final UpdateReceiver receiver;
    private final FeedEvents events;
    private final StreamProof proof;
    private final ScheduledExecutorService thread;
    private final AtomicLong connects = new AtomicLong();
    private volatile boolean connected;
    private volatile boolean everAccepted;
    private volatile String lastFailure;
    private URI streamUri;
    private FeedStream stream;
    private int generation;
    /** The stream now lost was refused for a document it named, now followed no more. */
    private boolean refusedDocument;
    private boolean closed;
    private final FeedReturn returns;
    private final StreamLossLog lossLog = new StreamLossLog();

    FeedConnection(FeedParts parts, FeedEvents events, Backoff backoff) {
        this.config = parts.config();
        this.verifier = parts.verifier();
        this.network = parts.network();
        this.upstreams = parts.upstreams();
        this.substreams = parts.substreams();
        this.receiver = parts.receiver();
        this.events = events;
        this.proof = new StreamProof(backoff);
        this.thread = parts.thread();
        this.returns = new FeedReturn(parts, connects::incrementAndGet, this::adopt);
    }

    /** Whether a stream the upstream accepted is open now (any thread). */
    boolean connected() {
        return connected;
    }

    /** Streams opened, the first and every reconnect (any thread). */
    long connects() {
        return connects.get();
    }

    /** Reconnects scheduled after a lost stream whose turn has not come yet (any thread). */
    long reconnectsWaiting() {
        return returns.waiting();
    }

    /** See {@link PushFeed#notReadyBecause()} (any thread). */
    String notReadyBecause() {
        if (everAccepted) {
            return null;
        }
        String why = lastFailure;
        return "no update stream from " + upstreams.current() + " yet" + (why == null ? "" : ": " + why);
    }

    /** A preferred upstream is healthy again: its stream is tried beside this one ({@link FeedReturn}). */
    void backTo(int preferred) {
        if (!closed) {
            returns.backTo(preferred);
        }
    }

    /**
     * The stream on trial proved itself: in one step it becomes the stream, and the one it
     * replaces is closed (what that one or a reconnect waiting still says is ignored); what the
     * trial held back is handed on ({@link StreamTrial#handOver}).
     */
    private void adopt(StreamTrial t) {
        if (closed) {
            t.abandon();
            return;
        }
        int gen = ++generation;
        if (stream != null) {
            stream.close(); // the one replaced
        }
        upstreams.returnHeld(t.index());
        streamUri = t.uri();
        stream = t.stream();
        events.streamStarted();
        stream.listen(listener(gen));
        connected = true;
        everAccepted = true;
        proof.replaced();
        proved(gen); // it has: the backoff starts afresh, as for any stream proving itself
        t.handOver(events, why -> run(() -> faulted(gen, why)));
        lossLog.accepted(streamUri, ", in the place of the one it proved itself beside");
    }

    /** Opens a stream, reading the directory first when its URI is not known (yet, or from this upstream). */
    void connect() {
        if (closed) {
            return;
        }
        if (streamUri == null) {
            discover();
            return;
        }
        int gen = ++generation;
        boolean https = "https".equalsIgnoreCase(streamUri.getScheme());
        if (https && network.tls == null) {
            lost(gen, "the update stream " + streamUri + " is https but the upstream " + upstreams.current() + " is not");
            return;
        }
        events.streamStarted();
        byte[] body = substreams.subscription(receiver::heldTag);
        connects.incrementAndGet();
        if (stream != null) {
            stream.close(); // one stream at a time, whatever led here
        }
        stream = new FeedStream(network, streamUri, https ? network.tls : null, body, config.readTimeout(),
                config.maxEventBytes(), this::run, listener(gen));
    }

    /** What stream {@code gen} tells goes to this class's handlers, which ignore it once that is replaced. */
    private FeedStream.Listener listener(int gen) {
        return FeedStream.Listener.of(e -> onEvent(gen, e), () -> proved(gen), error -> refused(gen, error),
                why -> faulted(gen, why), end -> lost(gen, end, false));
    }

    /** Reads the upstream's signed directory for the update stream's URI and the documents it offers. */
    private void discover() {
        int gen = ++generation;
        StreamDiscovery.fetch(network.http, upstreams.current(), verifier, config.readTimeout(), config.maxEventBytes())
                .whenComplete((found, failure) -> run(() -> { // through OwnThread: an Error is not kept in a future
                    if (gen != generation || closed) {
                        return;
                    }
                    if (failure != null) {
                        lost(gen, "directory: " + TransportFailures.reason(failure));
                        return;
                    }
                    found.documents().forEach(substreams::follow);
                    streamUri = found.stream();
                    receiver.read(found.directory());
                    connect();
                }));
    }

    /**
     * The upstream refused the subscription. When its error names a document's substream (a
     * document it no longer has, or one the upstream failed over to never had: RFC 8895 refuses
     * the whole request), that document is followed no more, so the next attempt can succeed;
     * the stream is lost either way, and tried again after the backoff.
     */
    private void refused(int gen, AltoError error) {
        String target = gen == generation && !closed ? substreams.unfollowRefused(error) : null;
        if (target != null) {
            refusedDocument = true; // the next subscription, without it, goes to the same stream
            LOG.warn("the update stream at {} refused {} ({}); no longer following it", upstreams.current(), target,
                    error.message());
        }
    }

    /**
     * Stream {@code gen} is lost for the upstream's fault ({@code why}): a control request it did
     * not take (documents it announced could not be added through its control URI, or substreams
     * could not be re-added there after a rejected update: the next subscription names every
     * document followed with the tags held, and a document the upstream then refuses is dropped
     * from it, {@link #refused}; subscribing again at once, with the backoff started afresh by
     * every subscription taken, let an upstream that fails every control request, announcing a new
     * document on each stream, say, have the feed reconnect as fast as the network allowed), or an
     * event stream the feed could not read (not SSE, an event over the largest taken, a control URI
     * elsewhere). Lost as any other (logged, the next upstream, the backoff); and the next stream's
     * proving itself does not start the backoff afresh ({@link StreamProof}).
     */
    private void faulted(int gen, String why) {
        lost(gen, StreamEnd.broken(why), true);
    }

    private void lost(int gen, String reason) {
        lost(gen, StreamEnd.broken(reason), false);
    }

    /** Stream {@code gen} ended as {@code end}; {@code fault}: for the upstream's fault ({@link #faulted}). */
    private void lost(int gen, StreamEnd end, boolean fault) {
        if (gen != generation || closed) {
            return;
        }
        generation++;
        connected = false;
        if (stream != null) {
            stream.close();
            stream = null;
        }
        String reason = end.reason();
        lastFailure = reason;
        returns.abandon(); // a trial beside this stream, which is gone: the feed moves on as for any loss
        boolean proven = proof.proven(); // with a clean end: a stop's drain, most likely (StreamLossLog)
        long delay = proof.lost(fault);
        URI from = upstreams.current();
        // The next attempt reads the directory first, from the same upstream as from another: the
        // stream may have moved (an upstream restarted with another path names it in its new
        // directory), and one subscribed to where it was is refused for good. Not after the
        // stream refused a document the directory lists: read again, it would be followed again,
        // and refused again, for good.
        streamUri = upstreams.next() || !refusedDocument ? null : streamUri;
        refusedDocument = false;
        lossLog.lost(from, reason, delay, upstreams.current(), end.clean(), proven, fault); // once, then a summary now and then
        int retry = generation;
        // dropped when a preferred upstream's stream took its place meanwhile, and held while
        // one is tried (FeedReturn.whenIdle): it would open a second stream beside that one
        returns.later(delay, () -> {
            if (retry == generation) {
                connect();
            }
        });
    }

    private void onEvent(int gen, SseParser.Event e) {
        if (gen != generation) {
            return;
        }
        FeedEvents.Routed routed = events.route(streamUri, e, why -> run(() -> faulted(gen, why)));
        if (routed == FeedEvents.Routed.ACCEPTED) {
            everAccepted = true; // its control URI was taken: a usable stream (readiness)
            if (!connected) {
                connected = true; // only now: a 200 whose control URI is then refused never was
                stream.accepted(); // within the deadline for opening (UpstreamStream)
                lossLog.accepted(streamUri, "");
            }
        } else if (routed == FeedEvents.Routed.VERIFIED) {
            proved(gen);
        }
    }

    /**
     * Stream {@code gen}, accepted, proved itself: an update on it verified, or a heartbeat (an
     * SSE comment) came; the backoff may start afresh ({@link StreamProof}).
     */
    private void proved(int gen) {
        if (gen != generation || !connected || closed) {
            return;
        }
        proof.proved();
        lossLog.proved();
    }

    private void run(Runnable task) {
        OwnThread.run(thread, task, LOG, "push feed");
    }

    /** Closes the stream; nothing more is opened. On the feed's thread. */
    void close() {
        closed = true;
        generation++;
        if (stream != null) {
            stream.close();
        }
        returns.abandon();
    }
}
