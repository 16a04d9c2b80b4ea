package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Keeps a client's maps current: subscribes to an update stream (RFC 8895) at the best source
 * that has one (the policy's order, the origin last), naming the versions it holds, so that it
 * is sent only what changed; rebuilds every update (a merge patch applied to the held bytes in
 * RFC 8785 form, see {@link org.rproxy.core.stream.StreamFollower}) and verifies it against its signature event exactly
 * as a fetched document, rollback floor included; and tells its {@link Listener} of each new set
 * of answers. The directory is followed too (and polled): a verified new version teaches the
 * keys it lists, the origin's next key. A source whose update fails verification, or is older
 * than the newest version the client has verified (held, fetched, or recorded in its state file:
 * a fetch's floor), is left (and cools down) and the next is subscribed to; an update that
 * could not be recorded ends the stream, which is subscribed to again from the versions held
 * ({@link StreamReader}). A source whose stream cannot be read as one (an event that is not an
 * update, an over-long line, a patch that is not JSON) is left and cools down as for a bad
 * signature. A stream that stops a map's substream (the map gone, or a version an event stream
 * cannot carry) is left without blame, not subscribed to again at once, and the next source's
 * stream or the poll brings the map. A stream left for an update that verifies but is not valid at this client's clock is
 * no source's fault: the next source is tried, and when none streams a valid one the poll tells the
 * listener, with {@link ClientException.ClockSkew} when every source answered so. While no stream
 * can be had, the maps are polled every poll interval (at once, as {@link AltoClient#refreshMaps()}
 * fetches them: {@link MapPoll}), and the streams tried again. A stream
 * silent for the read timeout (no event nor heartbeat) is taken for dead and closed: the listener
 * is told so ({@link ClientException.Unreachable}, naming the silence), the source is not blamed
 * for it, and the streams are tried again. A proxy's stream that lets a map held get within a
 * quarter of its validity of expiry at this client's clock, once followed for the read timeout,
 * is not keeping up with the origin, which renews every signature at half its validity
 * ({@link Renewals}): heartbeats alone must not keep the client on maps that expire. It is
 * closed, its source cools down as for an update that does not verify (the listener is told,
 * with an {@link ClientException.InvalidResponse} naming the map and its expiry), and the next
 * source's stream (the origin's last, which sends its newest signatures at once) or the poll
 * brings the renewal. The origin's own stream is left for silence (and maps that do not fit, below), and for a proxy's once
 * one can stream again ({@link MoveToProxy}: a client that fell back to the origin during a
 * proxy's outage does not stay on it; the proxy's stream is opened before the origin's is closed).
 * Maps a stream sent that do not fit the others held (a new network map without its cost maps, a
 * hostile or half-updated source) are never answered from: the last answers that fit stand, the
 * stream is left once they have not fit for the read timeout ({@link StreamWatch}), and the maps behind are fetched from the other sources ({@link MapPoll#refit}) before the next stream.
 * A proxy whose subscriptions failed lately, a stream it ended before it lasted the read timeout
 * included, is not subscribed to until its failure window has passed (as for a move); that record
 * is the client's, shared by its followers and shown by {@link AltoClient#health()}
 * ({@link SourceHealth#recentStreamFailures}), so a status page sees the proxy the followers avoid;
 * a stream that lasts the read timeout clears it at once ({@link StreamRecord}), the origin's too.
 *
 * <p>Runs on a thread of its own ({@code rproxy-client-updates}, which calls the listener), a timer thread watching the
 * stream ({@link StreamWatch}) and, while a move off the origin's stream subscribes at a proxy, a thread for that
 * ({@link MoveToProxy}), each named after the client's origin and map ({@link ClientThreads}); {@link #close()} ends them all.
 */
public final class UpdateFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateFollower.class);

    /** Told what the follower sees, on its thread, one call at a time: its stream waits unread meanwhile, losing nothing. */
    public interface Listener {
        /**
         * New answers, of maps that changed and verified, told once whoever took them ({@link AltoClient#refreshMaps()} too).
         * @param answers the answers of the maps held now
         */
        void changed(LocalAnswers answers);

        /**
         * An update or source refused, or a stream or poll that failed (the held maps stay); while
         * polling, once per outage: told again when it fails another way, or after it worked.
         *
         * @param why the refusal or failure, naming its source
         */
        default void refused(ClientException why) {
        }

        /**
         * Now following the update stream at {@code stream}, or polling when null (told as polling begins, not at each poll).
         *
         * @param stream the update stream's URL, or null while polling
         */
        default void following(URI stream) {
        }
    }

    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private final UpdateCounts counts = new UpdateCounts();
    private final HeldState state;
    private final Sources sources;
    private final MapPoll poll;
    private final Checker checker;
    private final ClientOptions options;
    private final GuardedListener listener;
    private final LongSupplier ticker;
    private final Thread thread;
    private final StreamWatch watch;
    private final Subscriber subscriber;
    private final MoveToProxy move;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Consumer<UpdateFollower> forget;

    /** @param forget told once this follower is closed, so that whoever keeps it can let it go */
    UpdateFollower(HeldState state, Sources sources, Fetcher fetcher, MapFetches mapFetches, Checker checker,
                   ClientOptions options, LongSupplier ticker, Listener listener, Consumer<UpdateFollower> forget) {
        this.forget = requireNonNull(forget, "forget");
        this.state = state;
        this.sources = sources;
        this.checker = checker;
        this.options = options;
        this.ticker = requireNonNull(ticker, "ticker");
        String of = ClientThreads.of(options.origin(), state.mapTargets());
        this.thread = new Thread(this::run, "rproxy-client-updates " + of);
        this.thread.setDaemon(true);
        this.subscriber = new Subscriber(state, sources, fetcher, checker, ticker);
        this.move = new MoveToProxy(sources, subscriber::open, ticker, options.pollInterval().toNanos(), of);
        this.watch = new StreamWatch(state, options.clock(), ticker, options.readTimeout(), move::consider, of);
        this.listener = new GuardedListener(requireNonNull(listener, "listener"), () -> closed.getCount() == 0, watch);
        this.poll = new MapPoll(state, sources, mapFetches, this.listener, this::isClosed);
    }

    void start() {
        watch.start();
        thread.start();
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (!isClosed()) {
            long start = ticker.getAsLong();
            Duration wait = options.pollInterval();
            try {
                if (streamOrPoll()) {
                    // A stream that ended at once is not resubscribed to at once: back off, doubling.
                    boolean lasted = ticker.getAsLong() - start > options.readTimeout().toNanos();
                    Duration doubled = backoff.multipliedBy(2);
                    backoff = lasted ? MIN_BACKOFF : doubled.compareTo(options.pollInterval()) <= 0 ? doubled : options.pollInterval();
                    wait = backoff;
                }
            } catch (RuntimeException e) {
                // a defect, not a source's answer (those are ClientExceptions, told to the listener):
                // the thread must outlive it, or updates would stop without a word. But a close that
                // could not wait for this thread (on an interrupted thread, or from the listener)
                // closes the client's fetches under it ("this client is closed"): the close's doing
                boolean closedUnder = e instanceof IllegalStateException && isClosed();
                LOG.atLevel(closedUnder ? Level.DEBUG : Level.ERROR).setCause(e).log("update follower: {}", e.toString());
            }
            if (await(wait)) {
                return;
            }
        }
    }

    /**
     * Follows the best source's stream until it ends (true), or polls once when none streams, or
     * every stream was left for an update not valid at this client's clock (false).
     */
    private boolean streamOrPoll() {
        Subscription moved = move.take();
        if (moved != null) {
            follow(moved);
            return true;
        }
        for (URI source : sources.order()) {
            if (!source.equals(sources.origin()) && sources.health().recentStreamFailures(source) > 0) {
                continue; // its streams failed or ended at once lately: tried again after its window
            }
            if (isClosed() || follow(source)) {
                return true;
            }
        }
        listener.following(null);
        if (!isClosed()) { // the listener may have closed the client
            poll.run();
        }
        return false;
    }

    /**
     * Follows the stream at {@code source} until it ends; false when none could be opened, or it
     * was left for an update not valid at this client's clock (then the next source is tried: the
     * clock may be wrong or this source stale, and a poll tells which).
     */
    private boolean follow(URI source) {
        Subscription s;
        try {
            s = subscriber.open(source);
        } catch (ClientException.Interrupted e) {
            return true; // closed while subscribing: the source is not to blame, and nothing is told
        } catch (ClientException e) {
            listener.refusedPolling(e); // each poll subscribes again: told once per outage
            return false;
        }
        return follow(s);
    }

    /** Reads the stream subscribed to until it ends; false when it was left for an update not valid at this clock. */
    private boolean follow(Subscription s) {
        if (isClosed()) {
            s.abandon();
            return true;
        }
        listener.following(s.uri());
        StreamRecord record = new StreamRecord(sources.health(), s, ticker, options.readTimeout(), watch::read);
        StreamReader reader = new StreamReader(state, checker, sources.health(), listener, poll.told(), options.maxEventBytes(),
                s.source(), s.uri(), s.targets(), s.named(), s.verified(), this::isClosed, record, counts);
        EndSeen in = new EndSeen(s.in());
        watch.watch(in, s.uri(), !s.source().equals(sources.origin()));
        boolean endedByIt = false;
        ClientException left;
        try (in) {
            reader.read(in);
            endedByIt = !isClosed() && in.ended();
        } catch (IOException e) {
            if (!isClosed() && !watch.closedIt(in)) {
                endedByIt = true;
                listener.refused(ExchangeFailures.streamFailure(s.uri(), e));
            }
        } finally {
            left = watch.ended(in);
        }
        if (!isClosed()) {
            record.ended(endedByIt);
            if (reader.stopped() != null) {
                sources.health().streamFailed(s.source(), reader.stopped()); // not subscribed to again at once
            }
        }
        if (left != null && !isClosed()) {
            // closed here, not by the source: say why, rather than the "closed" of the read it broke off
            if (watch.blames(in)) {
                sources.health().failed(s.source(), left); // it let a map run late: it cools down
            } else if (left instanceof ClientException.InvalidResponse) {
                sources.health().streamFailed(s.source(), left); // its maps did not fit: not subscribed to at once
            }
            listener.refused(left);
        }
        if (!isClosed() && !state.mapsFit()) {
            poll.refit(s.source()); // what it sent does not fit together: fetch the maps behind
        }
        return !reader.leftForTime();
    }

    private boolean await(Duration d) {
        try {
            return closed.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private boolean isClosed() {
        return closed.getCount() == 0 || Thread.currentThread().isInterrupted();
    }

    /** {@return what this follower did with the updates its streams sent, so far (any thread)} */
    public UpdateCounts counts() {
        return counts;
    }

    /** {@return true while the follower runs} */
    public boolean running() {
        return thread.isAlive();
    }

    /**
     * Stops following and waits (up to the client's timeout, in all) for its threads to end; a fetch or subscription
     * under way is interrupted, blaming no source, and the listener is told nothing more. The client lets go of it.
     */
    @Override
    public void close() {
        close(System.nanoTime() + options.timeout().toNanos());
    }

    /** Tells its threads to end, returning at once: a client closing tells all its followers before it waits for any. */
    void stop() {
        closed.countDown();
        watch.closeCurrent();
        watch.close();
        move.close();
        thread.interrupt();
    }

    /** As {@link #close()}, its threads waited for until {@code end} ({@link System#nanoTime}) at the latest. */
    void close(long end) {
        stop();
        try {
            move.awaitEnd(end - System.nanoTime());
            // a millisecond at least: join(0) would wait for good
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forget.accept(this); // after the wait: a client closing meanwhile still waits for this one too
    }
}
