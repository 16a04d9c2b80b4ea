package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

import org.rproxy.core.concurrent.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a substream back in step after one of its updates was rejected. The upstream counts
 * every update it sent as held by this feed, so it sends the next change as a merge patch from
 * the rejected version (or a renewal of its signature alone); applied to the older version this
 * feed still holds, that is rejected too, and so on for as long as the stream lasts. So a
 * rejected update (a data event, or a signature event whose bytes do not verify, whatever the
 * reason: created ahead of this clock, older than held, a digest that does not match) re-adds
 * the substream through the control URI naming the version held ({@link StreamControl#readd}),
 * and the upstream sends it from there; when the stream has no control URI, or the upstream does
 * not take the request, the stream is subscribed to again, which names the tags held too.
 *
 * <p>Each re-add waits for the {@link Backoff}: the first about the initial wait, doubling while
 * rejections go on (an upstream that keeps sending what does not verify cannot make the feed
 * loop), up to its longest wait, where it stays for as long as they go on; it starts afresh once
 * a re-added substream's update verifies. Rejections meanwhile are gathered into the one
 * request. A new stream drops what was due: its subscription names the tags held.
 *
 * <p>Logged once per change of state, not per attempt: the first re-add since an update last
 * verified (info), the backoff reaching its longest wait (a warning, with the re-adds so far),
 * and an update verifying again (info, with the count); the re-adds in between at debug. Every
 * control request sent is counted ({@link #resyncs}); subscribing again for want of a control
 * URI is not one.
 *
 * <p>Not thread-safe: the feed's own thread owns it and runs its timer.
 */
final class SubstreamResync {

    private static final Logger LOG = LoggerFactory.getLogger(SubstreamResync.class);

    private final StreamControl control;
    private final Backoff backoff;
    private final ScheduledExecutorService thread;
    /** Targets rejected since the last re-add, to re-add next. */
    private final Set<String> due = new LinkedHashSet<>();
    /** Targets rejected since their last verified update. */
    private final Set<String> recovering = new HashSet<>();
    private final AtomicLong resyncs = new AtomicLong();
    private final long initialMillis;
    private final long longestMillis;
    private int stream;
    private boolean scheduled;
    /** Re-adds since an update of a re-added substream last verified (since the backoff's reset). */
    private int readds;
    /** Whether the backoff's reaching its longest wait was logged since its reset. */
    private boolean toldLongest;

    /** The waits are a {@link Backoff} from {@code initial} to {@code longest}, drawing on {@code jitter}. */
    SubstreamResync(StreamControl control, Duration initial, Duration longest, DoubleSupplier jitter,
                    ScheduledExecutorService thread) {
        this.control = requireNonNull(control, "control");
        this.backoff = new Backoff(initial, longest, jitter);
        this.initialMillis = initial.toMillis();
        this.longestMillis = longest.toMillis();
        this.thread = requireNonNull(thread, "thread");
    }

    /**
     * An update of {@code target} was rejected: its substream is re-added after the backoff.
     * {@code resubscribe} subscribes to the stream again (see {@link StreamControl#onEvent}).
     */
    void rejected(String target, Runnable resubscribe) {
        recovering.add(target);
        due.add(target);
        if (scheduled) {
            return;
        }
        scheduled = true;
        int of = stream;
        if (!toldLongest && readds > 0 && initialMillis << Math.min(30, backoff.failures()) >= longestMillis) {
            toldLongest = true;
            LOG.warn("updates of {} keep being rejected after {} re-adds from the versions held; re-adding them every "
                    + "{} to {} ms while they are (logged again when one verifies; rproxy_push_resyncs_total counts "
                    + "each re-add)", recovering, readds, longestMillis / 2, longestMillis);
        }
        long delay = backoff.nextDelayMillis();
        try {
            thread.schedule(() -> {
                try {
                    readd(of, resubscribe);
                } catch (RejectedExecutionException e) {
                    LOG.debug("push feed stopped; substreams not re-added");
                } catch (RuntimeException e) {
                    LOG.error("re-adding substreams failed", e);
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** An update of {@code target} verified: when it had been rejected, the re-adding worked. */
    void verified(String target) {
        if (recovering.remove(target)) {
            if (readds > 0) {
                LOG.info("update for {} verified after {} re-adds from the versions held; re-adding starts afresh",
                        target, readds);
            }
            backoff.reset();
            readds = 0;
            toldLongest = false;
        }
    }

    /** A new stream starts: what was due is moot, since its subscription names the tags held. */
    void streamStarted() {
        stream++;
        scheduled = false;
        due.clear();
    }

    /** Control requests made to re-add substreams (one each time, however many it names). */
    long resyncs() {
        return resyncs.get();
    }

    private void readd(int of, Runnable resubscribe) {
        if (of != stream || thread.isShutdown()) {
            return; // another stream since, or the feed is closing
        }
        scheduled = false;
        List<String> targets = List.copyOf(due);
        due.clear();
        boolean first = readds++ == 0;
        switch (control.readd(targets, resubscribe)) {
            case SENT -> {
                resyncs.incrementAndGet();
                if (first) {
                    LOG.info("re-adding {} to the update stream from the versions held, after a rejected update", targets);
                } else {
                    LOG.debug("re-adding {} to the update stream from the versions held, re-add {} since an update "
                            + "last verified", targets, readds);
                }
            }
            case NO_CONTROL_URI -> {
                if (first) {
                    LOG.warn("the update stream has no control URI to re-add {} through; subscribing again", targets);
                } else {
                    LOG.debug("no control URI to re-add {} through; subscribing again", targets);
                }
                resubscribe.run();
            }
            case NONE_FOLLOWED -> LOG.debug("{} no longer followed; nothing to re-add", targets);
        }
    }
}
