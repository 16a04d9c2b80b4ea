package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

import org.rproxy.core.concurrent.Backoff;
import org.rproxy.core.concurrent.FatalErrors;
import org.rproxy.core.concurrent.GuardedThread;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push feed: holds a subscription to the upstream's update stream (RFC 8895), verifies every
 * update before anything sees it, and hands verified representations to its {@link Output} (the
 * store, which the proxy's own publisher follows, so updates travel on down the tree). This
 * class puts the parts together and is their face (start, counters, readiness, close); the jobs
 * are apart:
 * <ul>
 *   <li>{@link FeedConnection}: the subscription's life, one stream after another: reconnects,
 *       failing over and back, readiness;</li>
 *   <li>{@link FeedReturn} and {@link StreamTrial}: going back to a preferred upstream, its stream
 *       tried beside the working one, which it replaces only once it has proved itself;</li>
 *   <li>{@link StreamDiscovery}: the signed directory, read first: the stream and its documents;</li>
 *   <li>{@link Substreams}: what is followed, by which id; a reconnect names the tags held;</li>
 *   <li>{@link FeedStream}: one subscription, its connection and the parsing of its events;</li>
 *   <li>{@link FeedEvents}: each event to where it goes, and {@link StreamControl}: the control events,
 *       their requests one in flight per stream ({@link ControlRequests}),
 *       and the documents added through the control URI;</li>
 *   <li>{@link UpdateReceiver}: applying, verifying and handing on each update, and
 *       {@link SubstreamResync}: a substream whose update was rejected re-added from the version held;</li>
 *   <li>{@link Backoff}: the wait before reconnecting;</li>
 *   <li>{@link FeedNetwork}: the event loop, TLS context and HTTP client.</li>
 * </ul>
 *
 * <p>An {@code https} upstream is trusted only when its certificate chains to the configured CA
 * (or the JDK's trust store) and names the host; otherwise nothing is read from it, and
 * {@link #notReadyBecause()} says why. A stream that breaks, ends, or stays silent for the read
 * timeout (half-open TCP) is replaced after the backoff, from the next upstream when several are
 * configured ({@link UpstreamChoice}, which also brings the feed back to a preferred one, without
 * leaving the working stream before the preferred one's has proved itself); the
 * held versions stay in service meanwhile (the app composes pull for anything that nears expiry).
 *
 * <p>Threads: one feed thread does everything (SSE parsing, JSON, patches, verification) and
 * schedules the reconnects; the Netty event loop only copies bytes to it. It is a
 * {@link GuardedThread}: an exception a task throws is logged, and an error the JVM cannot be
 * trusted after (out of memory) ends the process (status 1), rather than being swallowed.
 */
public final class PushFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushFeed.class);

    /**
     * Receives each verified representation, on the feed's thread, as the verified type only a
     * verifier makes: a taker that trusts the feed's verifier need not verify it again
     * ({@link VerifiedRepresentation#verifiedBy}).
     */
    @FunctionalInterface
    public interface Output {
        void verified(VerifiedRepresentation copy);
    }

    /**
     * Counters, for {@link StreamMeters} and tests.
     *
     * @param repeated signature events that repeated the version held, dropped before anything was rebuilt
     * @param reconnectsWaiting reconnects scheduled after a lost stream whose turn has not come yet
     *                          (when it comes, one is dropped if another stream took the lost one's place)
     */
    public record Stats(boolean connected, long connects, long updates, long renewals, long rejected, long repeated,
                        long resyncs, long reconnectsWaiting) {
    }

    private final PushFeedConfig config;
    private final UpdateReceiver receiver;
    private final ScheduledExecutorService thread;
    private final FeedNetwork network;
    private final FeedEvents events;
    private final UpstreamChoice upstreams;
    private final FeedConnection connection;
    /** Told of each document the upstream stopped or refused ({@link #onFollowedNoMore}). */
    private volatile Consumer<String> followedNoMore = target -> { };

    /**
     * @param thread the feed's own thread: runs every task of the feed and schedules its
     *               reconnects (a test passes one on a fake clock)
     * @param jitter draws in {@code [0, 1)} for the reconnect backoff
     */
    PushFeed(PushFeedConfig config, ResponseVerifier verifier, Output output, ScheduledExecutorService thread,
             DoubleSupplier jitter) {
        this.config = config;
        this.receiver = new UpdateReceiver(verifier, output);
        Substreams substreams = new Substreams();
        this.network = new FeedNetwork(config, thread);
        this.thread = thread;
        StreamControl control = new StreamControl(network.http, thread, substreams, receiver::heldTag);
        SubstreamResync resync = new SubstreamResync(control, config.initialBackoff(), config.maxBackoff(), jitter,
                thread);
        substreams.onUnfollow(target -> {
            resync.forget(target); // a document gone is paced no more
            followedNoMore.accept(target);
        });
        this.events = new FeedEvents(substreams, control, receiver, resync);
        this.upstreams = new UpstreamChoice(config.upstreams(), network.http, verifier, config.readTimeout(),
                config.maxEventBytes(), (int) Math.min(Integer.MAX_VALUE,
                        config.maxBackoff().toMillis() / config.healthCheck().toMillis()), thread);
        this.connection = new FeedConnection(new FeedParts(config, verifier, network, upstreams, substreams, receiver,
                thread), events, new Backoff(config.initialBackoff(), config.maxBackoff(), jitter));
    }

    /**
     * About the most bytes of one update stream the feed holds received and not yet verified,
     * with events of at most {@code maxEventBytes} ({@link PushFeedConfig#maxEventBytes}): what
     * waits for the feed's thread ({@link UpstreamStream#MAX_UNPROCESSED}: reading pauses past
     * it), the event being read, and the document event waiting for its signature event. The
     * feed verifies one update at a time on its one thread, so this holds whatever the upstream
     * sends and however many documents it follows; a stream tried beside the working one
     * ({@link StreamTrial}) holds as much again, and its control events, up to {@code
     * maxEventBytes}. Not counted against {@code upstream.max-unverified-bytes}, which bounds the
     * pull half's answers: a budget below this could only be kept by dropping updates.
     */
    public static long unverifiedBytesPerStream(long maxEventBytes) {
        return UpstreamStream.MAX_UNPROCESSED + 2 * maxEventBytes;
    }

    /** Starts subscribing in the background; returns at once. */
    public static PushFeed start(PushFeedConfig config, ResponseVerifier verifier, Output output) {
        return start(config, verifier, output, FatalErrors.EXIT);
    }

    /**
     * {@link #start}, with {@code fatal} run after an error the JVM cannot be trusted after
     * ({@link FatalErrors}), thrown by any task of the feed's thread, once logged; in service
     * that ends the process.
     */
    static PushFeed start(PushFeedConfig config, ResponseVerifier verifier, Output output, FatalErrors.Fatal fatal) {
        requireNonNull(config, "config");
        requireNonNull(verifier, "verifier");
        requireNonNull(output, "output");
        ScheduledExecutorService thread = new GuardedThread("rproxy-push-feed", "push feed", LOG, fatal);
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
        run(connection::connect);
        if (!config.fallbacks().isEmpty()) {
            long every = config.healthCheck().toMillis();
            thread.scheduleWithFixedDelay(() -> upstreams.checkPreferred(connection::backTo), every, every,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Tells {@code listener} of each document this feed follows no more because its upstream
     * stopped its substream (a {@code stopped} control event) or refused it: the upstream says it
     * has it no more. The upstream is not trusted, so nothing is dropped on its word: a taker
     * asks the upstream's signed answers instead (the pull half revalidates the document at once,
     * {@code PushPullProxy}). On the feed's thread; it must not block.
     */
    public void onFollowedNoMore(Consumer<String> listener) {
        this.followedNoMore = requireNonNull(listener, "listener");
    }

    /** The counters now (any thread). */
    public Stats stats() {
        return new Stats(connection.connected(), connection.connects(), receiver.updates(), receiver.renewals(),
                receiver.rejected(), receiver.repeated(), events.resyncs(), connection.reconnectsWaiting());
    }

    /**
     * Null once the upstream has accepted a stream: its first control event named a control URI
     * the feed took (a 200 alone is not enough: a stream whose control URI is elsewhere is refused
     * and lost). Later outages are ridden out on what is held. Else why not yet: the last failure,
     * such as a certificate the CA does not vouch for, or a control URI refused.
     */
    public String notReadyBecause() {
        return connection.notReadyBecause();
    }

    /** Rounds of health checks of the preferred upstreams done so far ({@link UpstreamChoice#rounds}; any thread). */
    long healthChecks() {
        return upstreams.rounds();
    }

    /** The verified representations held, by request target (a snapshot), each once the output has taken it. */
    public Map<String, Representation> held() {
        return receiver.heldView();
    }

    private void run(Runnable task) {
        OwnThread.run(thread, task, LOG, "push feed");
    }

    @Override
    public void close() {
        run(connection::close);
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
