package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

import org.rproxy.core.concurrent.Backoff;
import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.SseParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push feed: holds a subscription to the upstream's update stream (RFC 8895), verifies every
 * update before anything sees it, and hands verified representations to its {@link Output} (the
 * store, which the proxy's own publisher follows, so updates travel on down the tree). This
 * class owns the connection's life; the jobs around it are apart:
 * <ul>
 *   <li>{@link StreamDiscovery}: the signed directory, read first: the stream and its documents;</li>
 *   <li>{@link Substreams}: what is followed, by which id; a reconnect names the tags held;</li>
 *   <li>{@link FeedStream}: one subscription, its connection and the parsing of its events;</li>
 *   <li>{@link FeedEvents}: each event to where it goes, and {@link StreamControl}: the control events,
 *       and the documents added through the control URI;</li>
 *   <li>{@link UpdateReceiver}: applying, verifying and handing on each update, and
 *       {@link SubstreamResync}: a substream whose update was rejected re-added from the version held;</li>
 *   <li>{@link Backoff}: the wait before reconnecting.</li>
 * </ul>
 *
 * <p>An {@code https} upstream is trusted only when its certificate chains to the configured CA
 * (or the JDK's trust store) and names the host; otherwise nothing is read from it, and
 * {@link #notReadyBecause()} says why. A stream that breaks, ends, or stays silent for the read
 * timeout (half-open TCP) is replaced after the backoff, from the next upstream when several are
 * configured ({@link UpstreamChoice}, which also brings the feed back to a preferred one); the
 * held versions stay in service meanwhile (the app composes pull for anything that nears expiry).
 *
 * <p>Threads: one feed thread does everything (SSE parsing, JSON, patches, verification) and
 * schedules the reconnects; the Netty event loop only copies bytes to it.
 */
public final class PushFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushFeed.class);

    /** Receives each verified representation, on the feed's thread. */
    @FunctionalInterface
    public interface Output {
        void verified(String target, Representation representation);
    }

    /** Counters, for {@link StreamMeters} and tests. */
    public record Stats(boolean connected, long connects, long updates, long renewals, long rejected, long resyncs) {
    }

    private final PushFeedConfig config;
    private final ResponseVerifier verifier;
    private final UpdateReceiver receiver;
    private final Substreams substreams = new Substreams();
    private final Backoff backoff;
    private final ScheduledExecutorService thread;
    private final FeedNetwork network;
    private final FeedEvents events;
    private final UpstreamChoice upstreams;
    private final AtomicLong connects = new AtomicLong();
    private volatile boolean connected;
    private volatile boolean everAccepted;
    private volatile String lastFailure;
    private URI streamUri;
    private FeedStream stream;
    private int generation;
    private boolean closed;

    /**
     * @param thread the feed's own thread: runs every task of the feed and schedules its
     *               reconnects (a test passes one on a fake clock)
     * @param jitter draws in {@code [0, 1)} for the reconnect backoff
     */
    PushFeed(PushFeedConfig config, ResponseVerifier verifier, Output output, ScheduledExecutorService thread,
             DoubleSupplier jitter) {
        this.config = config;
        this.verifier = verifier;
        this.receiver = new UpdateReceiver(verifier, output);
        this.backoff = new Backoff(config.initialBackoff(), config.maxBackoff(), jitter);
        this.network = new FeedNetwork(config, thread);
        this.thread = thread;
        StreamControl control = new StreamControl(network.http, substreams, receiver::heldTag);
        SubstreamResync resync = new SubstreamResync(control, config.initialBackoff(), config.maxBackoff(), jitter,
                thread);
        substreams.onUnfollow(resync::forget); // a document gone is paced no more
        this.events = new FeedEvents(substreams, control, receiver, resync);
        this.upstreams = new UpstreamChoice(config.upstreams(), network.http, verifier, config.readTimeout(), thread);
    }

    /** Starts subscribing in the background; returns at once. */
    public static PushFeed start(PushFeedConfig config, ResponseVerifier verifier, Output output) {
        requireNonNull(config, "config");
        requireNonNull(verifier, "verifier");
        requireNonNull(output, "output");
        ScheduledExecutorService thread =
                Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("rproxy-push-feed"));
        try {
            PushFeed feed = new PushFeed(config, verifier, output, thread, () -> ThreadLocalRandom.current().nextDouble());
            feed.begin();
            return feed;
        } catch (RuntimeException e) {
            thread.shutdownNow(); // a bad CA file, say: nothing may be left running
            throw e;
        }
    }

    /** Makes the first attempt, on the feed's thread. */
    void begin() {
        run(this::connect);
        if (!config.fallbacks().isEmpty()) {
            long every = config.healthCheck().toMillis();
            thread.scheduleWithFixedDelay(() -> upstreams.checkPreferred(this::backTo), every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** A preferred upstream is healthy again: the stream is replaced by one from it. */
    private void backTo(int preferred) {
        if (!closed) {
            drop();
            streamUri = null;
            connect();
        }
    }

    private void drop() {
        generation++;
        connected = false;
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    public Stats stats() {
        return new Stats(connected, connects.get(), receiver.updates(), receiver.renewals(), receiver.rejected(),
                events.resyncs());
    }

    /**
     * Null once the upstream has accepted a stream: its first control event named a control URI
     * the feed took (a 200 alone is not enough: a stream whose control URI is elsewhere is refused
     * and lost). Later outages are ridden out on what is held. Else why not yet: the last failure,
     * such as a certificate the CA does not vouch for, or a control URI refused.
     */
    public String notReadyBecause() {
        if (everAccepted) {
            return null;
        }
        String why = lastFailure;
        return "no update stream from " + upstreams.current() + " yet" + (why == null ? "" : ": " + why);
    }

    /** The verified representations held, by request target (a snapshot). */
    public Map<String, Representation> held() {
        return receiver.heldView();
    }

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
                config.maxEventBytes(), this::run, e -> onEvent(gen, e), error -> refused(gen, error),
                why -> lost(gen, why));
    }

    /** Reads the upstream's signed directory for the update stream's URI and the documents it offers. */
    private void discover() {
        int gen = ++generation;
        StreamDiscovery.fetch(network.http, upstreams.current(), verifier, config.readTimeout().plusSeconds(5))
                .whenCompleteAsync((found, failure) -> {
                    if (gen != generation || closed) {
                        return;
                    }
                    if (failure != null) {
                        Throwable t = StreamControl.unwrap(failure);
                        lost(gen, "directory: " + StreamControl.reason(t));
                        return;
                    }
                    found.documents().forEach(substreams::follow);
                    streamUri = found.stream();
                    receiver.accept(StreamDiscovery.DIRECTORY, found.directory(), true);
                    connect();
                }, thread);
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
            LOG.warn("the update stream at {} refused {} ({}); no longer following it", upstreams.current(), target,
                    error.message());
        }
    }

    /**
     * Documents the upstream announced could not be added to stream {@code gen} through its
     * control URI: a new subscription names them with the rest. Should it fail too, the stream is
     * lost as any other (backoff, the next upstream), and a document the upstream refuses is
     * dropped from it ({@link #refused}).
     */
    private void resubscribe(int gen) {
        if (gen != generation || closed) {
            return;
        }
        drop();
        connect();
    }

    private void lost(int gen, String reason) {
        if (gen != generation || closed) {
            return;
        }
        drop();
        lastFailure = reason;
        long delay = backoff.nextDelayMillis();
        LOG.warn("update stream from {} lost ({}); reconnecting in {} ms", upstreams.current(), reason, delay);
        streamUri = upstreams.next() ? null : streamUri; // another upstream's own directory names its stream
        int retry = generation;
        try {
            // dropped when something else connected meanwhile (going back to the preferred
            // upstream): it would open a second stream beside that one
            thread.schedule(() -> {
                if (retry == generation) {
                    connect();
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void onEvent(int gen, SseParser.Event e) {
        if (gen == generation && events.route(streamUri, e, () -> run(() -> resubscribe(gen)))) {
            backoff.reset(); // the upstream took the subscription: the next loss starts afresh
            everAccepted = true; // and its control URI was taken: a usable stream (readiness)
            if (!connected) {
                connected = true; // only now: a 200 whose control URI is then refused never was
                LOG.info("update stream from {} open", streamUri);
            }
        }
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
        network.close();
    }
}
