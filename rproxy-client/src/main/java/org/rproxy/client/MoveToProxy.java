package org.rproxy.client;

import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Takes a follower off the origin's update stream once a proxy can stream again. A follower
 * that fell back to the origin's stream (every proxy down or refused while it subscribed) would
 * otherwise stay there for as long as that stream lasts: after an edge cache's restart during a
 * flash crowd, every client that subscribed meanwhile would keep its stream on the origin, which
 * the proxies are there to spare. While the origin's stream is followed, the follower's watch
 * asks {@link #ready} at each of its checks: once a proxy (the first in the policy's order that
 * can be) is neither cooling down nor recently failing (fetches and subscriptions alike, {@link SourceHealth}), a
 * moment is drawn within one poll interval (so a crowd that fell back together leaves the origin
 * spread out, not in one burst at the proxy), and then the proxy's stream is subscribed to while
 * the origin's goes on. Only when that subscription is answered is the origin's stream closed and
 * the proxy's read ({@link #take}), so a proxy still down, or one without a stream (a bare pull
 * proxy answers 404), costs the origin nothing: its failure makes it recently failing again, for a
 * window that doubles with each failure in a row, so it is tried ever less often (up to every
 * 10 min). A stream opened for a move after the follower left the origin's stream on its own
 * (it ended during the subscription) is closed unread. A proxy's stream is never left for a
 * better proxy's: between proxies the order may change with every latency sample, and a stream
 * kept costs no one's origin anything. Thread-safe:
 * {@link #ready} runs on the watch's timer thread, {@link #take} on the follower's.
 */
final class MoveToProxy implements AutoCloseable {
    private static final long NONE = Long.MIN_VALUE;

    /** Opens a subscription at a source, recording the outcome in the sources' health; throws on failure. */
    interface Opener {
        Subscription open(URI source);
    }

    private final Sources sources;
    private final SourceHealth subscriptions;
    private final Opener opener;
    private final LongSupplier ticker;
    private final long spreadNanos;
    private long moveAt = NONE;
    private Subscription pending;
    private boolean closed;

    /**
     * @param subscriptions the follower's own record of subscriptions: a proxy that answers fetches
     *                      but not subscriptions is not tried again as soon as a fetch succeeds
     * @param spreadNanos   the moves of many clients are spread over this long (the poll interval)
     */
    MoveToProxy(Sources sources, SourceHealth subscriptions, Opener opener, LongSupplier ticker, long spreadNanos) {
        this.sources = sources;
        this.subscriptions = subscriptions;
        this.opener = opener;
        this.ticker = ticker;
        this.spreadNanos = Math.max(0, spreadNanos);
    }

    /**
     * Called while the origin's stream is followed; true once a proxy's stream has been opened
     * while {@code stillFollowed} held, so that the origin's is to be closed and the follower
     * takes the proxy's. May block for one subscription (the client's timeout), during which the
     * origin's stream may end on its own and the follower subscribe elsewhere: the stream opened
     * is kept for the follower only if the one probed for is still followed when it is answered
     * (asked under this object's lock, which {@link #take} takes too), and closed otherwise, so
     * that it is never left open unread beside another stream.
     *
     * @param stillFollowed true while the stream this move would replace is the one followed
     */
    boolean ready(BooleanSupplier stillFollowed) {
        URI proxy;
        synchronized (this) {
            if (closed || pending != null) {
                return false; // a stream opened already waits for the follower
            }
            proxy = askable();
            long now = ticker.getAsLong();
            if (proxy == null) {
                moveAt = NONE;
                return false;
            }
            if (moveAt == NONE) {
                moveAt = now + (spreadNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadNanos));
            }
            if (now - moveAt < 0) {
                return false;
            }
            moveAt = NONE;
        }
        Subscription s;
        try {
            s = opener.open(proxy);
        } catch (ClientException e) {
            return false; // recorded by the opener: the proxy is recently failing again
        }
        synchronized (this) {
            if (!closed && stillFollowed.getAsBoolean()) {
                pending = s;
                return true;
            }
        }
        s.abandon();
        return false;
    }

    /** The proxy to move to now, or null: the first in the policy's order that is healthy. */
    private URI askable() {
        SourceHealth health = sources.health();
        for (URI s : sources.order()) {
            if (!s.equals(sources.origin()) && !health.coolingDown(s) && health.recentFailures(s) == 0
                    && subscriptions.recentFailures(s) == 0) {
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

    /** Closes a stream opened for a move and not taken; none is opened after this. */
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
    }
}
