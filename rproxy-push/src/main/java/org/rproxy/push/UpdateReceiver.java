package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.RollbackRule;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.stream.UpdateApplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push feed's verifying half: pairs each document event of the update stream (a full
 * document or a merge patch) with the signature event that follows it, applies and verifies the
 * result ({@link UpdateApplier}), and hands what passes to the feed's {@link PushFeed.Output}.
 * What fails is counted, and the held version stays; the caller is told, so that it can put the
 * substream back on that version ({@link SubstreamResync}). What fails is logged once per change
 * of state: a warning when a document's updates start failing, debug while they go on (an
 * upstream that keeps sending what never verifies), and the count once one verifies again. A
 * signature event that repeats the version held (a replaying upstream) is dropped before anything
 * is rebuilt, and counted apart: neither a new version nor a rejection, it is not handed on. An
 * update older than the version held is refused as a rollback only while that version is valid
 * ({@link RollbackRule}, by the feed's clock). Holds the verified versions, so a reconnect can
 * resubscribe with their tags.
 *
 * <p>Not thread-safe apart from {@link #heldView} and the counters: the feed's own thread owns it.
 */
final class UpdateReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateReceiver.class);

    private final UpdateApplier applier;
    /** The feed's clock (its verifier's): whether a version held is still valid. */
    private final Clock clock;
    private final PushFeed.Output output;
    private final Map<String, Representation> held = new HashMap<>();
    /**
     * The one document event waiting for its signature event, and its target, or null: the
     * signature event follows its document event directly, so one is enough, and one event
     * (at most the feed's largest) is all an upstream can make the feed hold unverified. One per
     * document let an upstream that never sent the signature events pile up the feed's heap.
     */
    private String pendingTarget;
    private UpdateApplier.Data pending;
    /** Updates rejected in a row, by target, since its last verified one. */
    private final Map<String, Integer> failing = new HashMap<>();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong repeated = new AtomicLong();
    private volatile Map<String, Representation> heldView = Map.of();

    UpdateReceiver(ResponseVerifier verifier, PushFeed.Output output) {
        this.applier = new UpdateApplier(requireNonNull(verifier, "verifier"));
        this.clock = verifier.clock();
        this.output = requireNonNull(output, "output");
    }

    /**
     * A document event for {@code target}: kept until its signature event, which must come next;
     * one still waiting (for any target) is dropped, and its signature event, should it come
     * after all, is then taken for a renewal of the version held (which fails to verify unless it
     * is one: the update is rejected, and the substream put back on the version held).
     */
    void data(String target, boolean mergePatch, Bytes data) {
        pendingTarget = target;
        pending = new UpdateApplier.Data(mergePatch, data);
    }

    /** What became of a signature event. */
    enum Outcome {
        /** Verified and handed on: a new version or a renewal. */
        ACCEPTED,
        /** Refused: the held version stays. */
        REJECTED,
        /** The signing held, again: dropped unchecked, the held version stays. */
        REPEATED
    }

    /**
     * The signature event for {@code target}: completes, verifies and hands on the update, or
     * says why not (the held version stays).
     */
    Outcome signature(String target, Bytes data) {
        UpdateApplier.Data d = target.equals(pendingTarget) ? pending : null;
        pendingTarget = null;
        pending = null;
        SignatureEvent sig;
        try {
            sig = SignatureEvent.parse(data);
        } catch (IllegalArgumentException ex) {
            reject(target, ex.getMessage());
            return Outcome.REJECTED;
        }
        UpdateApplier.Result r = applier.apply(target, held.get(target), d, sig);
        if (r instanceof UpdateApplier.Result.Repeated) {
            repeated.incrementAndGet();
            return Outcome.REPEATED;
        }
        if (r instanceof UpdateApplier.Result.Rejected no) {
            reject(target, no.reason());
            return Outcome.REJECTED;
        }
        UpdateApplier.Result.Applied ok = (UpdateApplier.Result.Applied) r;
        return accept(ok.copy(), ok.newBytes()) ? Outcome.ACCEPTED : Outcome.REJECTED;
    }

    /**
     * What {@link #signature} would make of the update {@code data} (null for a renewal) and
     * signature event {@code sig} for {@code target} now, against the version held, with nothing
     * held, handed on or counted: for a stream on trial ({@link StreamTrial}), whose update is
     * taken ({@link #accept}) only if its stream takes the current one's place.
     */
    UpdateApplier.Result check(String target, UpdateApplier.Data data, Bytes sig) {
        try {
            return applier.apply(target, held.get(target), data, SignatureEvent.parse(sig));
        } catch (IllegalArgumentException ex) {
            return new UpdateApplier.Result.Rejected(ex.getMessage());
        }
    }

    /**
     * The directory (or any document) read and verified before subscribing, on each (re)connect
     * that reads it and at a trial's hand-over: the same signing as the version held ({@link
     * SignatureEvent#sameSigning}, the rule a repeated signature event meets) is nothing new, and
     * nothing is counted, held or handed on; a new signing of the bytes held is a renewal, and any
     * other an update ({@link #accept}). An upstream failed over to serves the directory the feed
     * holds, signed once by the origin: taken as an update each time, it was counted as one and
     * handed to the store again.
     */
    void read(VerifiedRepresentation copy) {
        Representation r = copy.representation();
        Representation before = held.get(copy.target());
        if (before != null && SignatureEvent.sameSigning(before.identity().headers(), r.identity().headers())) {
            return;
        }
        accept(copy, before == null || !before.identity().body().equals(r.identity().body()));
    }

    /**
     * A representation verified (an update, the directory read before subscribing: {@link
     * #read}, or an update checked on a stream on trial), for the target it was verified for, and
     * handed on as verified; one older than the version held is
     * refused while that version is valid by the feed's clock (an upstream failed over to, or gone
     * back to, may serve a directory that is still valid but was replaced, with a key since
     * retired), and taken once it has expired ({@link RollbackRule}: an origin whose clock was
     * stepped back is followed again). False when refused.
     */
    boolean accept(VerifiedRepresentation copy, boolean newBytes) {
        String target = copy.target();
        Representation r = copy.representation();
        Representation before = held.get(target);
        if (before != null && RollbackRule.refuses(r.created(), before.created(), before.expires(), clock.instant())) {
            reject(target, "created " + r.created() + ", older than the version held (" + before.created() + ")");
            return false;
        }
        held.put(target, r);
        Integer failed = failing.remove(target);
        if (failed != null) {
            LOG.info("update for {} verified, after {} rejected in a row", target, failed);
        }
        try {
            output.verified(copy);
        } catch (RuntimeException e) {
            LOG.warn("feed output failed for {}", target, e);
        } finally {
            // After the output: what the view and the counters show was handed on.
            heldView = Map.copyOf(held);
            (newBytes ? updates : renewals).incrementAndGet();
        }
        return true;
    }

    /** A new stream starts: a document event left without its signature event is dropped. */
    void streamStarted() {
        pendingTarget = null;
        pending = null;
    }

    /** The quoted entity tag of the identity variant held for {@code target}, or null. */
    String heldTag(String target) {
        Representation r = held.get(target);
        return r == null ? null : r.identity().etag();
    }

    /** The verified representations held and handed on, by request target (a snapshot; any thread). */
    Map<String, Representation> heldView() {
        return heldView;
    }

    long updates() {
        return updates.get();
    }

    long renewals() {
        return renewals.get();
    }

    long rejected() {
        return rejected.get();
    }

    long repeated() {
        return repeated.get();
    }

    private void reject(String target, String reason) {
        rejected.incrementAndGet();
        int inARow = failing.merge(target, 1, Integer::sum);
        if (inARow == 1) {
            LOG.warn("update for {} rejected, the held version stays: {}", target, reason);
        } else {
            LOG.debug("update for {} rejected ({} in a row), the held version stays: {}", target, inARow, reason);
        }
    }
}
