package org.rproxy.client;

import java.net.URI;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a follower off the origin's update stream once a proxy can stream again. A follower
 * that fell back to the origin's stream (every proxy down or refused while it subscribed) would
 * otherwise stay there for as long as that stream lasts: after an edge cache's restart during a
 * flash crowd, every client that subscribed meanwhile would keep its stream on the origin, which
 * the proxies are there to spare. While the origin's stream is followed, the follower's watch
 * asks {@link #consider} at each of its checks: once a proxy (the first in the policy's order that
 * can be) is neither cooling down nor recently failing (fetches and subscriptions alike,
 * {@link SourceHealth#recentFailures} and {@link SourceHealth#recentStreamFailures}), a
 * moment is drawn within one poll interval (so a crowd that fell back together leaves the origin
 * spread out, not in one burst at the proxy), and then the proxy's stream is subscribed to while
 * the origin's goes on. Only when that subscription is answered is the origin's stream closed and
 * the proxy's read ({@link #take}), so a proxy still down, or one without a stream (a bare pull
 * proxy answers 404), costs the origin nothing: its failure makes it recently failing again, for a
 * window that doubles with each failure in a row, so it is tried ever less often (up to every
 * 10 min). A stream opened for a move after the follower left the origin's stream on its own
 * (it ended during the subscription) is closed unread. A proxy's stream is never left for a
 * better proxy's: between proxies the order may change with every latency sample, and a stream
 * kept costs no one's origin anything.
 *
 * <p>The subscription runs on a thread of this move's own ({@code rproxy-client-updates-move}, one
 * subscription at a time, started when one is due and ended once idle), never on the watch's: it
 * may wait up to the client's timeout for a proxy that accepts and does not answer, and meanwhile
 * the watch must go on noticing that the origin's stream fell silent. {@link #close()} interrupts a
 * subscription under way and ends that thread; {@link #awaitEnd} waits for it, within the follower's
 * own bound for its close. Thread-safe: {@link #consider} runs on the watch's
 * timer thread, {@link #take} on the follower's.
 */
final class MoveToProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MoveToProxy.class);
    private static final long NONE = Long.MIN_VALUE;

    /** Opens a subscription at a source, recording the outcome in the sources' health; throws on failure. */
    interface Opener {
        Subscription open(URI source);
    }

    private final Sources sources;
    private final Opener opener;
    private final LongSupplier ticker;
    private final long spreadNanos;
    private final ThreadPoolExecutor probes;
    private long moveAt = NONE;
    private boolean probing;
    private Subscription pending;
    private boolean closed;

    /**
     * @param spreadNanos   the moves of many clients are spread over this long (the poll interval)
     * @param of            whose follower this is, in its thread's name ({@link ClientThreads})
     */
    MoveToProxy(Sources sources, Opener opener, LongSupplier ticker, long spreadNanos, String of) {
        this.sources = sources;
        this.opener = opener;
        this.ticker = ticker;
        this.spreadNanos = Math.max(0, spreadNanos);
        this.probes = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "rproxy-client-updates-move " + of);
            t.setDaemon(true);
            return t;
        });
        this.probes.allowCoreThreadTimeOut(true); // moves are rare: no thread kept between them
    }

    /**
     * Called while the origin's stream is followed; returns at once. When a move is due, subscribes
     * at the proxy on this move's thread; once that is answered, and only while {@code stillFollowed}
     * holds (asked under this object's lock, which {@link #take} takes too), the proxy's stream is
     * kept for the follower and {@code leave} is run to close the origin's. Otherwise the stream
     * opened is closed: the origin's may have ended on its own meanwhile and the follower subscribed
     * elsewhere, and a stream must never be left open unread beside another.
     *
     * @param stillFollowed true while the stream this move would replace is the one followed
     * @param leave         closes that stream, once the proxy's is kept to take its place
     */
    void consider(BooleanSupplier stillFollowed, Runnable leave) {
        URI proxy;
        synchronized (this) {
            if (closed || probing || pending != null) {
                return; // a subscription under way, or a stream opened already waits for the follower
            }
            proxy = askable();
            long now = ticker.getAsLong();
            if (proxy == null) {
                moveAt = NONE;
                return;
            }
            if (moveAt == NONE) {
                moveAt = now + (spreadNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadNanos));
            }
            if (now - moveAt < 0) {
                return;
            }
            moveAt = NONE;
            probing = true;
        }
        try {
            probes.execute(() -> probe(proxy, stillFollowed, leave));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                probing = false; // closed meanwhile: no move
            }
        }
    }

    /** Subscribes at {@code proxy} (on this move's thread) and keeps the stream if the move still stands. */
    private void probe(URI proxy, BooleanSupplier stillFollowed, Runnable leave) {
        Subscription s = null;
        try {
            s = opener.open(proxy);
        } catch (ClientException e) {
            // recorded by the opener: the proxy is recently failing again (or the move was closed)
        } catch (IllegalStateException e) {
            if (!isClosed()) { // else the client closed under it, as the follower was closed: no defect
                LOG.error("update follower: a move to {} failed: {}", proxy, e.toString(), e);
            }
        } catch (RuntimeException e) {
            LOG.error("update follower: a move to {} failed: {}", proxy, e.toString(), e); // a defect, not the proxy's answer
        }
        boolean keep;
        synchronized (this) {
            probing = false;
            keep = s != null && !closed && stillFollowed.getAsBoolean();
            if (keep) {
                pending = s;
            }
        }
        if (keep) {
            leave.run();
        } else if (s != null) {
            s.abandon();
        }
    }

    /** Whether {@link #close} has been called (the follower's close, or its client's). */
    private synchronized boolean isClosed() {
        return closed;
    }

    /** The proxy to move to now, or null: the first in the policy's order that is healthy. */
    private URI askable() {
        SourceHealth health = sources.health();
        for (URI s : sources.order()) {
            if (!s.equals(sources.origin()) && !health.coolingDown(s) && health.recentFailures(s) == 0
                    && health.recentStreamFailures(s) == 0) {
                return s;
            }
        }
        return null;
    }

    /** {@return the proxy's stream opened for a move, once; else null} */
    synchronized Subscription take() {
        Subscription s = pending;
        pending = null;
        return s;
    }

    /**
     * Closes a stream opened for a move and not taken and interrupts a subscription under way; none
     * is opened after this. Waits for nothing: the follower closing waits for this move's thread
     * ({@link #awaitEnd}) and its own within one bound, its close's.
     */
    @Override
    public void close() {
        Subscription s;
        synchronized (this) {
            closed = true;
            s = pending;
            pending = null;
        }
        if (s != null) {
            s.abandon();
        }
        probes.shutdownNow();
    }

    /**
     * Once closed, waits until this move's thread has ended or {@code nanos} have passed.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    void awaitEnd(long nanos) throws InterruptedException {
        probes.awaitTermination(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
