package org.rproxy.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Watches the update stream an {@link UpdateFollower} reads, from a timer thread of its own
 * ({@code rproxy-client-updates-watchdog}, every quarter read timeout), and closes it when it is
 * silent for the read timeout (no event nor heartbeat: taken for dead, no source's fault), or,
 * once it has been followed for the read timeout (time for its first events: a stream that keeps
 * up sends its newest signatures at once), when it lets a map held run late ({@link Renewals}: a
 * source that sends heartbeats but no renewals must not keep the client on maps that expire).
 * It also closes a stream, any source's, after which the maps held have not fitted together for
 * the read timeout ({@link HeldState#mapsFit}: a cost map of another network map version, sent
 * without the map it fits): a source sends a new version's maps one after another, and one that
 * does not send the rest in that time is half-way through an update or mixing versions; the
 * follower then fetches what fits ({@link MapPoll#refit}). No source is cooled down for that, as
 * no fetch is ({@link FittingMaps}); the stream counts as failed in the record of subscriptions.
 * The follower asks {@link #ended} why its read ended. The origin's own stream is watched for
 * silence and fit only: what it sends is as new as what polling the origin would fetch; and it is closed
 * once a proxy's stream has been opened in its place ({@link MoveToProxy}: no one's fault, and
 * {@link #ended} says nothing). The check never waits for that subscription, which runs on the
 * move's own thread: a silent origin's stream is closed within the read timeout (and a quarter)
 * even while a proxy holds the move's subscription unanswered. While the follower's thread is in
 * the application's listener ({@link #listening}) the stream is not read, so nothing is judged:
 * the time a listener takes is the application's, not the stream's silence nor its source's delay.
 * What the stream sent meanwhile waits unread, a renewal or the map that makes the maps fit among
 * it: so once the listener returns, renewals and fit are judged again only after as long as it
 * took, up to the read timeout ({@link #listened}), time to read that; silence from its return.
 * That grace is given once: it runs from the first return since renewals and fit were last judged,
 * ends a read timeout after it at the latest, and then they are judged even while a later call
 * runs. Else a listener about as slow as the gap between the events that call it put the judging
 * off at every return, for ever: a proxy that passes on changes but renews nothing more kept the
 * client until its maps expired. So a stream that lets a map run late is left at most the read
 * timeout and a quarter (this timer's period) after the listener's call under way then returns.
 */
final class StreamWatch implements AutoCloseable {
    private final HeldState state;
    private final Clock clock;
    private final LongSupplier ticker;
    private final Duration readTimeout;
    private final ScheduledExecutorService timer;
    private final Move move;
    private volatile InputStream current;
    private volatile URI uri;
    private volatile boolean renewals;
    private volatile long since;
    private volatile long lastRead;
    /** True while the follower's thread is in the application's listener, not reading the stream. */
    private volatile boolean listening;
    /** When the listener was called last (ticker). */
    private volatile long listeningFrom;
    /** Renewals and fit are not judged before this (ticker): what came while the listener ran is read first. */
    private long judgedFrom;
    /** True from the first return of the listener since renewals and fit were last judged until they are again. */
    private boolean graceGiven;
    /** That first return (ticker): renewals and fit are judged a read timeout after it at the latest. */
    private long graceFrom;
    /** When the maps held were first seen not to fit while this stream was watched, or null while they fit. */
    private volatile Long unfitSince;
    /** The stream this watch closed last, and why. */
    private volatile Closed closed;

    /** @param blames whether {@code why} is its source's doing, to cool it down for */
    private record Closed(InputStream in, ClientException why, boolean blames) {
    }

    /** A move off the origin's stream ({@link MoveToProxy#consider}); must return at once. */
    interface Move {
        /**
         * @param stillWatched true while the stream a move would replace is the one watched
         * @param leave        closes it, once a proxy's stream is kept to take its place
         */
        void consider(BooleanSupplier stillWatched, Runnable leave);
    }

    /**
     * @param move told at each check while the origin's stream is followed
     * @param of   whose follower this is, in its thread's name ({@link ClientThreads})
     */
    StreamWatch(HeldState state, Clock clock, LongSupplier ticker, Duration readTimeout, Move move, String of) {
        this.move = move;
        this.state = state;
        this.clock = clock;
        this.ticker = ticker;
        this.readTimeout = readTimeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rproxy-client-updates-watchdog " + of);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long every = Math.max(50, readTimeout.toMillis() / 4);
        timer.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Watches {@code in}, the stream at {@code uri}, from now on.
     *
     * @param renewals whether it is left when it lets a map held run late (not the origin's)
     */
    void watch(InputStream in, URI uri, boolean renewals) {
        this.uri = uri;
        this.renewals = renewals;
        this.since = ticker.getAsLong();
        this.lastRead = since;
        this.unfitSince = null;
        synchronized (this) {
            this.judgedFrom = since;
            this.graceGiven = false;
        }
        this.current = in;
    }

    /** Told of every read of the stream watched. */
    void read() {
        lastRead = ticker.getAsLong();
    }

    /** The follower's thread calls the application's listener: the stream is not read until it returns. */
    void listening() {
        listeningFrom = ticker.getAsLong();
        listening = true;
    }

    /**
     * The listener returned: the stream is read again, and its silence counted from now. What it
     * sent meanwhile is still unread (a renewal of a map that ran late while the listener ran, the
     * cost map that makes a new network map fit): renewals and fit are judged again only after as
     * long as the listener took (up to the read timeout), time to read what piled up, or a check
     * right after the return would leave the stream, and blame its source, for what waits in it.
     * A later return before they were judged does not put that off beyond a read timeout after the
     * first: the grace is given once, however often the listener is called.
     */
    void listened() {
        long now = ticker.getAsLong();
        long grace = now + Math.min(now - listeningFrom, readTimeout.toNanos());
        synchronized (this) {
            if (!graceGiven) {
                graceGiven = true;
                graceFrom = now;
            }
            long cap = graceFrom + readTimeout.toNanos();
            judgedFrom = grace - cap < 0 ? grace : cap;
        }
        lastRead = now;
        listening = false;
    }

    /** True when this watch closed {@code in}. */
    boolean closedIt(InputStream in) {
        Closed c = closed;
        return c != null && c.in == in;
    }

    /** True when this watch closed {@code in} for what its source did (a map it let run late), to cool it down. */
    boolean blames(InputStream in) {
        Closed c = closed;
        return c != null && c.in == in && c.blames;
    }

    /**
     * Stops watching {@code in}, whose read has ended; returns why this watch closed it, or null
     * when it did not or closed it for a move ({@link #closedIt} tells those apart): an {@link ClientException.Unreachable} for silence (no source's fault), an
     * {@link ClientException.InvalidResponse} for a map it let run late (its source's: {@link #blames}) or for maps that did not fit (no cool-down).
     */
    ClientException ended(InputStream in) {
        current = null;
        Closed c = closed;
        return c != null && c.in == in ? c.why : null;
    }

    /** Judges the stream watched, if any (the timer's task; a test calls it with its own ticker). */
    void check() {
        InputStream in = current;
        if (in == null) {
            return;
        }
        boolean reading = !listening;
        long now = ticker.getAsLong();
        boolean judged = judges(now, reading);
        if (!reading && !judged) {
            return; // the listener's call: nothing is judged, unless the grace after the last one is over
        }
        ClientException why = null;
        boolean blames = false;
        if (reading && now - lastRead > readTimeout.toNanos()) {
            why = new ClientException.Unreachable(uri, silence(readTimeout), null);
        } else if ((why = unfit(now, judged)) == null && judged && renewals && now - since >= readTimeout.toNanos()) {
            why = Renewals.overdue(state, clock.instant(), uri);
            blames = why != null;
        }
        if (why != null) {
            closeFor(in, why, blames);
        } else if (!renewals && reading) {
            // The proxy's stream is kept only while this one is still watched (the follower sets
            // current to null once its read ended, before it takes the proxy's): then close this.
            move.consider(() -> current == in, () -> closeFor(in, null, false));
        }
    }

    /**
     * Whether renewals and fit are judged at {@code now}: while the stream is {@code reading}, once
     * the grace after the listener's last return is over; while a later call runs, once a read
     * timeout has passed since the first return of the grace. Judged, the grace is taken: the next
     * return gives another.
     */
    private synchronized boolean judges(long now, boolean reading) {
        boolean due = reading ? now - judgedFrom >= 0 : graceGiven && now - graceFrom - readTimeout.toNanos() >= 0;
        if (due) {
            graceGiven = false;
        }
        return due;
    }

    /**
     * Why the stream is left when the maps held have not fitted together for the read timeout; else
     * null, also while not {@code judged} (what came during the listener is being read).
     */
    private ClientException unfit(long now, boolean judged) {
        if (state.mapsFit()) {
            unfitSince = null;
            return null;
        }
        Long first = unfitSince;
        if (first == null) {
            unfitSince = now;
            return null;
        }
        if (now - first < readTimeout.toNanos() || !judged) {
            return null;
        }
        return new ClientException.InvalidResponse(uri, "update stream: the maps it sent do not fit together (a cost map"
                + " of another network map version) and it sent none that fit within " + FailureWords.seconds(readTimeout)
                + " (the read timeout), so this client left the stream, keeps answering from the last maps that fit and"
                + " fetches the maps that fit");
    }

    /**
     * Closes {@code in}, recording why (null for a move); the first reason recorded for a stream
     * stands (a move's subscription answered just after the stream was closed for silence must not
     * make the follower forget to say so).
     */
    private synchronized void closeFor(InputStream in, ClientException why, boolean blames) {
        Closed c = closed;
        if (c == null || c.in != in) {
            closed = new Closed(in, why, blames);
        }
        close(in);
    }

    /**
     * Why a stream silent for {@code readTimeout} was closed, naming the read timeout and what to
     * set it to when the source was only quiet: a timeout not above the source's heartbeat drops a
     * live stream again and again.
     */
    static String silence(Duration readTimeout) {
        return "no event or heartbeat for " + FailureWords.seconds(readTimeout) + " (the read timeout), so this"
                + " client took the stream for dead and closed it; if the source was only quiet, set the read timeout"
                + " (ClientOptions.withReadTimeout) to about twice its heartbeat interval (10 s by default for the"
                + " origin's and the proxies' streams)";
    }

    /** Closes the stream watched, if any (the follower is closing). */
    void closeCurrent() {
        InputStream in = current;
        if (in != null) {
            close(in);
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
