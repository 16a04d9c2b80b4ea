package org.rproxy.push;

import java.net.URI;
import java.time.Duration;
import java.util.function.LongSupplier;

import org.rproxy.core.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the push feed logs while it has no stream, as a pull proxy does for an upstream it cannot
 * reach: one warning when the stream is lost (or the first subscription fails), then, while every
 * attempt fails, at most one summary line per {@link #SUMMARY_EVERY} of waiting (the attempts, the
 * last reason, the next wait), and one line when a stream is accepted again. Each failed attempt
 * in between is logged at DEBUG only. Logging every attempt made about 120 warnings an hour with
 * the default {@code push.backoff-max} of 30 s, for a single fact.
 *
 * <p>A working stream (one that proved itself) which the upstream <b>ended</b> cleanly is what a
 * planned restart looks like: a stopping node ends every update stream with its last chunk. That
 * end is logged at INFO, and the warning comes only if no stream is accepted within
 * {@link #ENDED_GRACE} of waits; a stream that broke (reset, read timeout, no heartbeat, a fault)
 * is warned of at once. Every routine restart of an upstream made each push proxy below it warn.
 * The grace is fixed rather than {@code push.backoff-max}: it is about how long a restart takes
 * (seconds: start, read the maps, sign), not about how hard to retry, and an operator shortening
 * the waits to reconnect sooner should not get warnings on restarts for it. The grace runs from
 * that end until a stream proves itself again, across the streams accepted meanwhile: one the
 * upstream ends cleanly before it has proved itself (restarted again within a heartbeat of the
 * first restart, before anything new came) is part of the same restart, and was warned of at once.
 * A stream that ends before it proves itself with no such restart behind it (an upstream ending
 * every stream it accepts is no restart) is warned of at once, as is any end once the grace is out.
 * Working streams ended cleanly more than {@link #FLAP_LIMIT} times within {@link #FLAP_WINDOW}
 * are no run of restarts but a flapping upstream (or a load balancer cutting streams): each such
 * end reset the grace, so it was an INFO for ever; now it is one WARN per window.
 *
 * <p>Streams lost one after another for the upstream's <b>fault</b> (each accepted, then a control
 * request it did not take, or an event stream the feed could not read: a hop between that re-announces
 * a document the upstream still streams, say, whose addition the upstream refuses) are one fact as
 * well, and so are streams accepted and broken before they proved themselves (a reset, or nothing until
 * the read timeout: an upstream, or something between, that takes every stream and cuts it at once):
 * the first loss is warned of and the next stream's opening said at INFO, then each further such loss
 * and opening is at DEBUG, with a summary per {@link #SUMMARY_EVERY} of waits, while each comes from
 * the same upstream within {@link #SUMMARY_EVERY} of wall time of the last and no stream between is
 * lost otherwise; the streak's first attempt failing before a stream is accepted (refused: the upstream
 * down now) is warned of at once. Each accepted stream ended the streak: a WARN and an INFO per cycle.
 *
 * <p>Time here, apart from that window (wall time, on a monotonic clock), is the reconnect waits
 * scheduled ({@code delayMillis}), not a clock: the time down is at least their sum (each attempt
 * takes time besides), so a summary comes at most once per interval, the grace's warning comes 30 s
 * or a little more after the end, and a test on the feed's fake scheduler sees the same lines as
 * service does. Not thread-safe: used on the feed's own thread.
 */
final class StreamLossLog {

    /** The waits that pass between two summaries of a streak of failed attempts. */
    static final Duration SUMMARY_EVERY = Duration.ofMinutes(10);

    /** The waits after a stream the upstream ended cleanly before its absence is warned of. */
    static final Duration ENDED_GRACE = Duration.ofSeconds(30);

    /** The most clean ends per {@link #FLAP_WINDOW} taken for restarts; one more is a flapping upstream. */
    static final int FLAP_LIMIT = 3;

    /** The wall time (monotonic) over which clean ends are counted against {@link #FLAP_LIMIT}. */
    static final Duration FLAP_WINDOW = Duration.ofMinutes(10);

    /** The push feed's logger: the stream's life is the feed's news. */
    private static final Logger LOG = LoggerFactory.getLogger(PushFeed.class);

    /** Attempts failed since a stream was last accepted (0: a stream is open, or none has failed yet). */
    private long failed;
    /** The waits scheduled since the last line at WARN (the loss, or the last summary). */
    private long waitedMillis;
    /** The waits scheduled since the loss. */
    private long downMillis;
    /** The streak began with a working stream the upstream ended cleanly, and is not warned of yet. */
    private boolean ended;
    /** A working stream was ended cleanly and no stream has proved itself since: a restart under way. */
    private boolean restarting;
    /** The waits scheduled since that working stream ended, across the streams accepted since. */
    private long restartMillis;
    /** The monotonic clock (ns) that times clean ends, {@link System#nanoTime} in service. */
    private final LongSupplier nanoTime;
    /** When the last {@link #FLAP_LIMIT} clean ends came (ns; 0: none yet), oldest at {@link #nextEnd}. */
    private final long[] cleanEnds = new long[FLAP_LIMIT];
    private int nextEnd;
    /** When a flapping upstream was last warned of (ns; 0: never). */
    private long flapWarned;
    /** Streams lost in a row for the upstream's fault (0: the last stream lost was lost otherwise). */
    private long faults;
    /** When the last of those was lost (ns). */
    private long lastFault;
    /** The upstream whose streams make that streak: faults at another one start a streak of their own. */
    private URI faultFrom;
    /** The attempts failing now followed a loss logged as part of that streak: no outage warned of yet. */
    private boolean quietDown;
    /** Such an attempt was warned of in this streak: later ones are not (a crash-looping upstream). */
    private boolean causeWarned;
    /** The waits scheduled since that streak was last warned of. */
    private long faultWaitedMillis;
    /** A stream was accepted and is not lost yet. */
    private boolean open;
    /** A warning that no stream is back was logged since a stream was last accepted: its return is told at INFO. */
    private boolean downWarned;

    StreamLossLog() {
        this(System::nanoTime);
    }

    /** A log timing clean ends on {@code nanoTime} (a test's clock). */
    StreamLossLog(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * The stream from {@code from} was lost, or an attempt to open one failed, for {@code reason};
     * the next attempt is made in {@code delayMillis}, to {@code next}. {@code endedCleanly}: the
     * upstream ended the stream with its last chunk; {@code proven}: the stream had proved itself;
     * {@code fault}: lost for the upstream's fault. A working stream ended cleanly (a planned
     * restart, most likely), or one ended cleanly while such a restart's grace runs, is not yet a
     * warning; nor is a stream lost for the upstream's fault, or accepted and broken before it
     * proved itself, in a streak of such losses.
     */
    void lost(URI from, String reason, long delayMillis, URI next, boolean endedCleanly, boolean proven, boolean fault) {
        String then = next.equals(from) ? "" : " to " + next;
        boolean brokenUnproven = open && !proven && !endedCleanly;
        open = false;
        if (faultAgain(from, reason, delayMillis, then, fault || brokenUnproven) || causeChanged(from, reason,
                delayMillis, then)) {
            return;
        }
        if (failed++ == 0 && endedCleanly && (proven || restarting && restartMillis < ENDED_GRACE.toMillis())) {
            cleanEnd(from, then, delayMillis, proven);
            restartMillis = proven ? 0 : restartMillis;
            restarting = true;
            ended = true;
            waitedMillis = delayMillis;
            downMillis = delayMillis;
            restartMillis += delayMillis;
            return;
        }
        if (failed == 1) {
            LOG.warn("update stream from {} lost ({}); reconnecting{} in {} ms (failures are summarised every {} min until"
                    + " a stream is accepted)", from, reason, then, delayMillis, SUMMARY_EVERY.toMinutes());
            restarting = false;
            waitedMillis = delayMillis;
            downMillis = delayMillis;
            return;
        }
        // the summary covers the waits already passed, not the one being scheduled
        if (ended && restartMillis >= ENDED_GRACE.toMillis()) {
            LOG.warn("update stream from {} not back within {} of the upstream ending it: still no stream after {}"
                    + " attempts, the last ({}); reconnecting{} in {} ms (failures are summarised every {} min until a"
                    + " stream is accepted)", from, Durations.describe(ENDED_GRACE), failed - 1, reason, then,
                    delayMillis, SUMMARY_EVERY.toMinutes());
            ended = false;
            restarting = false;
            waitedMillis = 0;
            downWarned = true;
        } else if (!ended && waitedMillis >= SUMMARY_EVERY.toMillis()) {
            LOG.warn("update stream: still no stream after {} attempts in at least {}, the last from {} ({});"
                    + " reconnecting{} in {} ms", failed - 1, Durations.describe(Duration.ofMillis(downMillis)), from,
                    reason, then, delayMillis);
            waitedMillis = 0;
            downWarned = true;
        } else {
            LOG.debug("update stream from {}: attempt {} failed ({}); reconnecting{} in {} ms", from, failed - 1, reason,
                    then, delayMillis);
        }
        waitedMillis += delayMillis;
        downMillis += delayMillis;
        restartMillis += delayMillis;
    }

    /**
     * Logs a clean end taken for a restart: at INFO, unless working streams ({@code proven}) end
     * cleanly more often than {@link #FLAP_LIMIT} per {@link #FLAP_WINDOW}, which no run of restarts
     * explains (a flapping upstream, a load balancer cutting streams): then one WARN per window,
     * and DEBUG between. A stream ended before it proved itself is part of the restart before it,
     * bounded by {@link #ENDED_GRACE}, and not counted here.
     */
    private void cleanEnd(URI from, String then, long delayMillis, boolean proven) {
        long now = nanoTime.getAsLong();
        boolean flapping = false;
        if (proven) {
            long oldest = cleanEnds[nextEnd];
            flapping = oldest != 0 && now - oldest < FLAP_WINDOW.toNanos();
            cleanEnds[nextEnd] = now == 0 ? 1 : now; // 0 marks a slot not used yet
            nextEnd = (nextEnd + 1) % cleanEnds.length;
        }
        if (!flapping) {
            LOG.info("update stream from {} ended by the upstream (a restart, say); reconnecting{} in {} ms (a warning"
                    + " follows if no stream is accepted within {})", from, then, delayMillis,
                    Durations.describe(ENDED_GRACE));
        } else if (flapWarned == 0 || now - flapWarned >= FLAP_WINDOW.toNanos()) {
            flapWarned = now == 0 ? 1 : now;
            LOG.warn("update stream from {} ended by the upstream more than {} times within {}: a flapping upstream,"
                    + " or something between (a load balancer, a proxy) cutting streams; reconnecting{} in {} ms"
                    + " (further ends within {} are logged at DEBUG)", from, FLAP_LIMIT,
                    Durations.describe(FLAP_WINDOW), then, delayMillis, Durations.describe(FLAP_WINDOW));
        } else {
            LOG.debug("update stream from {} ended by the upstream again (flapping); reconnecting{} in {} ms", from, then,
                    delayMillis);
        }
    }

    /**
     * Whether the stream from {@code from}, lost for {@code reason}, continues a streak of streams
     * lost for the upstream's fault ({@code fault}: this one was, or was accepted and broken before
     * it proved itself), and was logged so (DEBUG, or the streak's summary). Keeps the
     * streak: a stream accepted and lost otherwise ends it; an attempt that failed before any
     * stream was accepted leaves it as it is.
     */
    private boolean faultAgain(URI from, String reason, long delayMillis, String then, boolean fault) {
        long now = nanoTime.getAsLong();
        if (!fault) {
            faults = failed == 0 ? 0 : faults;
            return false;
        }
        boolean again = faults > 0 && now - lastFault < SUMMARY_EVERY.toNanos() && from.equals(faultFrom);
        faults = again ? faults + 1 : 1;
        lastFault = now;
        if (!again) {
            faultFrom = from;
            causeWarned = false;
            faultWaitedMillis = delayMillis;
            return false;
        }
        if (faultWaitedMillis >= SUMMARY_EVERY.toMillis()) {
            LOG.warn("update stream from {}: {} streams in a row accepted and then lost for the upstream's fault or"
                    + " before they proved themselves, in at least {} of waits, the last ({}); reconnecting{} in {} ms",
                    from, faults,
                    Durations.describe(Duration.ofMillis(faultWaitedMillis)), reason, then, delayMillis);
            faultWaitedMillis = 0;
        } else {
            LOG.debug("update stream from {} lost again for the upstream's fault or before it proved itself ({}), {} in"
                    + " a row; reconnecting{} in {} ms", from, reason, faults, then, delayMillis);
        }
        faultWaitedMillis += delayMillis;
        if (failed++ == 0) {
            waitedMillis = 0;
            downMillis = 0;
            quietDown = true;
        }
        waitedMillis += delayMillis;
        downMillis += delayMillis;
        return true;
    }

    /** Whether this attempt, failed after a loss logged below WARN, is the streak's first such: warned of. */
    private boolean causeChanged(URI from, String reason, long delayMillis, String then) {
        if (!quietDown || causeWarned) {
            return false;
        }
        LOG.warn("update stream from {}: attempt {} failed ({}) after {} streams in a row lost for the upstream's fault"
                + " or before they proved themselves; reconnecting{} in {} ms (failures are summarised every {} min"
                + " until a stream is accepted)", from, failed, reason, faults, then, delayMillis,
                SUMMARY_EVERY.toMinutes());
        causeWarned = true;
        downWarned = true;
        failed++;
        waitedMillis = delayMillis;
        downMillis += delayMillis;
        return true;
    }

    /** The stream now proved itself: a restart under way, if any, is over. */
    void proved() {
        restarting = false;
        restartMillis = 0;
    }

    /**
     * A stream from {@code from} was accepted: the streak of failures, if any, ends, and says so;
     * else the line says {@code how} (a stream taking over from another one, say). In a streak of
     * streams lost for the upstream's fault the opening is at DEBUG, unless a warning that no stream
     * was back came since the last was accepted (the upstream was down meanwhile): an operator
     * warned so is told at INFO that it is over.
     */
    void accepted(URI from, String how) {
        if (faults > 1 && !downWarned) {
            LOG.debug("update stream from {} open again, on attempt {} ({} lost in a row for the upstream's fault or"
                    + " before they proved themselves)", from, failed, faults);
        } else if (failed == 0) {
            LOG.info("update stream from {} open{}", from, how);
        } else {
            // the waits, not a clock: the time without a stream was at least their sum. In whole
            // minutes, an upstream's restart of a few seconds read "after about 0 min without one"
            LOG.info("update stream from {} open, on attempt {} after at least {} without one", from, failed,
                    Durations.describe(Duration.ofMillis(downMillis)));
        }
        failed = 0;
        waitedMillis = 0;
        downMillis = 0;
        ended = false;
        open = true;
        downWarned = false;
        quietDown = false;
    }
}
