package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 * not take the request, the stream is lost and subscribed to again after the feed's backoff
 * ({@link FeedConnection}), which names the tags held too.
 *
 * <p>Each document is paced on its own: its re-add waits for its own {@link Backoff}, the first
 * about the initial wait, doubling while its rejections go on (an upstream that keeps sending
 * what does not verify cannot make the feed loop), up to the longest wait, where it stays for as
 * long as they go on; it starts afresh once the document's update verifies. So one document
 * that never verifies does not slow the resync of another. Its rejections meanwhile are gathered
 * into its one request. A new stream drops what was due: its subscription names the tags held.
 * The pacing of a document is forgotten once one of its updates verifies or once it is followed
 * no more ({@link #forget}); at most {@link #MAX_PACED} documents are paced apart at once, and
 * any beyond share one pacing (gathered into one request, as all documents once were), so an
 * upstream announcing documents without end cannot grow this without end.
 *
 * <p>Logged once per change of state of a document, not per attempt: its first re-add since an
 * update last verified (info), its backoff reaching the longest wait (a warning, with the re-adds
 * so far), and its update verifying again (info, with the count); the re-adds in between at
 * debug. Every re-add asked through the control URI is counted ({@link #resyncs}; re-adds asked
 * while a control request is unanswered go in the next one, {@link ControlRequests});
 * subscribing again for want of a control URI is not one.
 *
 * <p>Not thread-safe: the feed's own thread owns it and runs its timers.
 */
final class SubstreamResync {

    /** The most documents paced apart at once; any more share one pacing. */
    static final int MAX_PACED = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SubstreamResync.class);

    private final StreamControl control;
    private final Duration initial;
    private final Duration longest;
    private final DoubleSupplier jitter;
    private final ScheduledExecutorService thread;
    private final int maxPaced;
    /** The pacing of each document rejected since its last verified update, by target. */
    private final Map<String, Pacing> paced = new HashMap<>();
    /** The pacing shared by documents beyond {@link #maxPaced}. */
    private final Pacing shared;
    private final AtomicLong resyncs = new AtomicLong();
    private int stream;

    /** The waits are a {@link Backoff} per document from {@code initial} to {@code longest}, drawing on {@code jitter}. */
    SubstreamResync(StreamControl control, Duration initial, Duration longest, DoubleSupplier jitter,
                    ScheduledExecutorService thread) {
        this(control, initial, longest, jitter, thread, MAX_PACED);
    }

    /** As above, pacing at most {@code maxPaced} documents apart (tests). */
    SubstreamResync(StreamControl control, Duration initial, Duration longest, DoubleSupplier jitter,
                    ScheduledExecutorService thread, int maxPaced) {
        this.control = requireNonNull(control, "control");
        this.initial = requireNonNull(initial, "initial");
        this.longest = requireNonNull(longest, "longest");
        this.jitter = requireNonNull(jitter, "jitter");
        this.thread = requireNonNull(thread, "thread");
        this.maxPaced = maxPaced;
        this.shared = new Pacing();
    }

    /** One document's re-adds (or those of the documents sharing a pacing). */
    private final class Pacing {
        final Backoff backoff = new Backoff(initial, longest, jitter);
        /** Targets rejected since the last re-add, to re-add next. */
        final Set<String> due = new LinkedHashSet<>();
        /** Targets rejected since their last verified update. */
        final Set<String> recovering = new LinkedHashSet<>();
        boolean scheduled;
        /** Re-adds since an update last verified (since the backoff's reset). */
        int readds;
        /** Whether the backoff's reaching its longest wait was logged since its reset. */
        boolean toldLongest;

        /** Whether this pacing still stands for {@code target}: not verified or forgotten since. */
        boolean current(String target) {
            return this == shared ? recovering.contains(target) : paced.get(target) == this;
        }
    }

    /**
     * An update of {@code target} was rejected: its substream is re-added after its backoff.
     * {@code resubscribe} subscribes to the stream again, told why (see {@link StreamControl#onEvent}).
     */
    void rejected(String target, Consumer<String> resubscribe) {
        Pacing p = paced.get(target);
        if (p == null) {
            p = shared.recovering.contains(target) || paced.size() >= maxPaced ? shared : new Pacing();
            if (p != shared) {
                paced.put(target, p);
            }
        }
        p.recovering.add(target);
        p.due.add(target);
        if (p.scheduled) {
            return;
        }
        p.scheduled = true;
        int of = stream;
        long longestMillis = longest.toMillis();
        if (!p.toldLongest && p.readds > 0 && initial.toMillis() << Math.min(30, p.backoff.failures()) >= longestMillis) {
            p.toldLongest = true;
            LOG.warn("updates of {} keep being rejected after {} re-adds from the versions held; re-adding them every "
                    + "{} to {} ms while they are (logged again when one verifies; rproxy_push_resyncs_total counts "
                    + "each re-add)", p.recovering, p.readds, longestMillis / 2, longestMillis);
        }
        long delay = p.backoff.nextDelayMillis();
        Pacing pacing = p;
        try {
            thread.schedule(() -> {
                try {
                    readd(pacing, of, resubscribe);
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
        Pacing p = paced.remove(target);
        if (p == null && shared.recovering.remove(target)) {
            p = shared;
        }
        if (p == null) {
            return;
        }
        if (p.readds > 0) {
            LOG.info("update for {} verified after {} re-adds from the versions held; re-adding starts afresh",
                    target, p.readds);
        }
        if (p == shared) {
            shared.backoff.reset();
            shared.readds = 0;
            shared.toldLongest = false;
        }
    }

    /** {@code target} is followed no more: its pacing, and any re-add due, are forgotten. */
    void forget(String target) {
        paced.remove(target);
        shared.recovering.remove(target);
        shared.due.remove(target);
    }

    /** A new stream starts: what was due is moot, since its subscription names the tags held. */
    void streamStarted() {
        stream++;
        for (Pacing p : paced.values()) {
            p.scheduled = false;
            p.due.clear();
        }
        shared.scheduled = false;
        shared.due.clear();
    }

    /** Re-adds asked through the control URI (one each time, however many documents it names). */
    long resyncs() {
        return resyncs.get();
    }

    /** Documents paced apart now (tests: the map stays bounded, and forgets). */
    int paced() {
        return paced.size();
    }

    private void readd(Pacing p, int of, Consumer<String> resubscribe) {
        if (of != stream || thread.isShutdown()) {
            return; // another stream since, or the feed is closing
        }
        p.scheduled = false;
        List<String> targets = p.due.stream().filter(p::current).toList();
        p.due.clear();
        if (targets.isEmpty()) {
            return; // verified or followed no more meanwhile: in step, or gone
        }
        boolean first = p.readds++ == 0;
        switch (control.readd(targets, resubscribe)) {
            case ASKED -> {
                resyncs.incrementAndGet();
                if (first) {
                    LOG.info("re-adding {} to the update stream from the versions held, after a rejected update", targets);
                } else {
                    LOG.debug("re-adding {} to the update stream from the versions held, re-add {} since an update "
                            + "last verified", targets, p.readds);
                }
            }
            case NO_CONTROL_URI -> {
                if (first) {
                    LOG.warn("the update stream has no control URI to re-add {} through; subscribing again", targets);
                } else {
                    LOG.debug("no control URI to re-add {} through; subscribing again", targets);
                }
                resubscribe.accept("no control URI to re-add " + targets + " through");
            }
            case NONE_FOLLOWED -> {
                LOG.debug("{} no longer followed; nothing to re-add", targets);
                targets.forEach(this::forget);
            }
        }
    }
}
