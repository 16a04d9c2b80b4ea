package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.server.StreamSink;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.stream.Sse;

/**
 * One open update stream (RFC 8895 §6) and its substreams. Nothing is queued per update: each
 * substream remembers the version and the signature it was last sent, and {@link #pump} sends
 * whatever is behind, newest first come, while fewer than the window's bytes wait for the
 * subscriber's socket. A subscriber that cannot keep up therefore holds about one window of
 * bytes and the event that filled it (a whole document at most; the transport copies what waits
 * for the socket off-heap), and when it drains, gets the latest
 * version (a patch from what it holds, or the full document): the versions in between are
 * coalesced, never queued; one that leaves its window full for the stall timeout, whether or not
 * anything newer waits, is disconnected ({@link #stalledFor}). What all subscribers hold
 * together is bounded too ({@link PendingBudget}): one whose window has room waits, coalesced
 * alike, while the node's bound is reached, which does not count as a stall. Control events have
 * their own short queue and go first.
 *
 * <p>Which substreams may be behind is kept as it happens, not searched for ({@link
 * DueSubstreams}): a substream is <em>due</em> when added and whenever {@link Followers#changed}
 * says its track has a new version or signature, and the due ones are served round robin in the
 * order the substreams were added, from the one after the substream served last, the directory's
 * first when it is behind. Finding the next one to send is therefore logarithmic in the number of
 * substreams per event (it was a copy of them all, so that a new version cost time quadratic in
 * their number on the one publisher thread every stream shares).
 *
 * <p>Substream state machine, per substream: {@code NEW} (sent nothing; the client may hold a
 * tag) → {@code CURRENT} (sent the current version and signature) → {@code BEHIND} (a new version
 * or signature arrived) → {@code CURRENT} ...; removed by the client or when the document goes.
 * Confined to the publisher's thread.
 */
final class Subscription {

    final String token;
    final long createdNanos;
    /** Whether signature events follow updates on this stream. */
    final boolean signatures;
    private final long windowBytes;
    private final Map<String, Substream> substreams = new LinkedHashMap<>();
    /** Substreams that may be behind, by their place in the stream's order. */
    private final DueSubstreams due;
    private long added;
    private final ArrayDeque<Bytes> control = new ArrayDeque<>();
    /** Bytes of the control events queued. */
    private long controlBytes;
    private StreamSink sink;
    /** Whether the window is full since {@link #fullSinceNanos}, not drained since: a pump sending nothing found it so. */
    private boolean full;
    private long fullSinceNanos;
    /** Whether the last pump left work waiting for a full window. */
    private boolean workWaiting;
    /** Whether the last pump left work waiting, its window not full, for the node's bound on pending bytes. */
    private boolean budgetWaiting;

    Subscription(String token, long createdNanos, long windowBytes, boolean signatures) {
        this.token = requireNonNull(token, "token");
        this.createdNanos = createdNanos;
        this.signatures = signatures;
        this.windowBytes = windowBytes;
        this.due = new DueSubstreams(signatures);
    }

    void attach(StreamSink s) {
        this.sink = requireNonNull(s, "s");
    }

    boolean attached() {
        return sink != null;
    }

    boolean open() {
        return sink != null && sink.isOpen();
    }

    Map<String, Substream> substreams() {
        return substreams;
    }

    /** Adds {@code s}, due at once (its first version, or nothing when the client holds it). */
    void add(Substream s) {
        s.seq = added++;
        substreams.put(s.id, s);
        due.add(s);
    }

    Substream remove(String id) {
        Substream s = substreams.remove(id);
        if (s != null) {
            due.remove(s);
        }
        return s;
    }

    /** The track {@code s} follows has changed: {@code s} may be behind. */
    void due(Substream s) {
        if (substreams.get(s.id) == s) {
            due.due(s);
        }
    }

    void control(Bytes event) {
        control.add(event);
        controlBytes += event.length();
    }

    /** Bytes of control events waiting for the subscriber's window (a subscriber that stops reading leaves them queued). */
    long controlBacklog() {
        return controlBytes;
    }

    /**
     * Sends what is behind while the window has room and the node's {@code budget} too, counting
     * every byte sent in it. A substream due a version that cannot travel as event data ({@link
     * Track#travels}) is sent nothing (no signature event over bytes it lacks): {@code untravelled} stops it.
     *
     * @return the number of events sent
     */
    int pump(Function<String, Track> tracks, long nowNanos, PendingBudget budget, Consumer<Substream> untravelled) {
        budgetWaiting = false;
        if (sink == null || !sink.isOpen()) {
            return 0;
        }
        int sent = 0;
        while (room()) {
            if (!budget.hasRoom()) {
                budgetWaiting = hasWork(tracks);
                break;
            }
            Bytes c = control.poll();
            if (c != null) {
                controlBytes -= c.length();
                deliver(budget, c);
                sent++;
                continue;
            }
            Substream next = due.next(tracks);
            if (next == null) {
                break;
            }
            Track t = tracks.apply(next.target);
            if (!t.versionId().equals(next.sentVersion) && !t.travels()) {
                untravelled.accept(next);
                continue;
            }
            send(next, t, budget);
            sent++;
        }
        // Whatever was sent found room: the window had drained, and a stall counts afresh from
        // now. Counted from the first full window instead, one drained each time within the stall
        // timeout, but refilled with work still waiting, was disconnected as stalled.
        boolean fullNow = !room();
        if (!fullNow || sent > 0 || !full) {
            fullSinceNanos = nowNanos;
        }
        full = fullNow;
        workWaiting = fullNow && hasWork(tracks);
        return sent;
    }

    /**
     * How long, at {@code nowNanos}, the window has been full and still is, whether or not
     * anything newer waits, or -1 when it is not: one that never reads holds its window and the
     * event that filled it (copied off-heap by the transport, a whole map at most) until it is
     * disconnected for this passing the stall timeout.
     */
    long stalledFor(long nowNanos) {
        return sink != null && sink.isOpen() && full && !room() ? nowNanos - fullSinceNanos : -1;
    }

    /** Where the stream is written, or null before it starts. */
    StreamSink sink() {
        return sink;
    }

    /**
     * True when the last pump stopped, its own window not full, with work waiting for the node's
     * bound on pending bytes: the publisher pumps it again once they drain.
     */
    boolean waitsForBudget() {
        return budgetWaiting && open();
    }

    /**
     * True when work waits for this window while the sink itself still counts as writable, so the
     * sink will not call back when the bytes drain: the publisher must look again later.
     */
    boolean waitsUnsignalled() {
        return sink != null && sink.isOpen() && workWaiting && sink.isWritable();
    }

    /** Room in this subscriber's window (its own bound, which may be below or above the sink's). */
    private boolean room() {
        return sink.isOpen() && sink.pendingBytes() < windowBytes;
    }

    private boolean hasWork(Function<String, Track> tracks) {
        return !control.isEmpty() || due.first(tracks) != null;
    }

    /**
     * One update: data (patch or full, unless the client holds this version) then, on a stream
     * that carries them and for a signed document, the signature.
     */
    private void send(Substream s, Track t, PendingBudget budget) {
        List<Bytes> parts = new ArrayList<>(4);
        if (!t.versionId().equals(s.sentVersion)) {
            Bytes patch = s.incremental ? t.patchLinesFrom(s.sentVersion) : null;
            if (patch != null) {
                parts.add(Sse.eventLine(MediaTypes.MERGE_PATCH, s.id));
                parts.add(patch);
            } else {
                parts.add(Sse.eventLine(t.mediaType(), s.id));
                parts.add(t.bodyLines());
            }
        }
        if (signatures && t.signed()) {
            parts.add(Sse.eventLine(SignatureEvent.MEDIA_TYPE, s.id));
            parts.add(t.signatureLines());
        }
        if (!parts.isEmpty()) {
            deliver(budget, parts.toArray(Bytes[]::new));
        }
        s.sentVersion = t.versionId();
        s.sentSignature = t.signatureVersion();
    }

    /** Hands {@code parts} to the sink, counted in {@code budget} from before the hand-off until written. */
    private void deliver(PendingBudget budget, Bytes... parts) {
        long size = 0;
        for (Bytes p : parts) {
            size += p.length();
        }
        budget.sent(size);
        if (!sink.send(parts)) {
            budget.refused(size);
        }
    }

    void close() {
        if (sink != null) {
            sink.close();
        }
    }

    /** Ends the stream at once, what waits for its socket dropped: for one that stopped reading. */
    void abort() {
        if (sink != null) {
            sink.abort();
        }
    }
}
