package org.rproxy.push;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.stream.SseParser;
import org.rproxy.core.stream.UpdateApplier;

/**
 * What a {@link StreamTrial} holds back until its stream is the feed's, and hands on then
 * ({@link #handOver}): the directory read, the control events, the update that proved the stream,
 * the targets whose updates were not taken, a document event waiting for its signature event,
 * and the documents its subscription named. The trial fills it as its events come. Bounded as the
 * trial is: control events up to the largest event taken (the trial counts them), one document
 * event, targets among those followed. Not thread-safe: on the feed's own thread.
 */
final class TrialHandOver {

    private final Substreams substreams;
    private final UpdateReceiver receiver;
    private final List<SseParser.Event> controls = new ArrayList<>();
    /** Targets whose update on this stream was not taken: put back on the versions held at the hand-over. */
    private final Set<String> stale = new LinkedHashSet<>();
    /** The documents its subscription named: those followed when it was opened. */
    private Set<String> named = Set.of();
    private VerifiedRepresentation directory;
    private String pendingTarget;
    private UpdateApplier.Data pending;
    private String provingTarget;
    private UpdateApplier.Result.Applied proving;

    TrialHandOver(Substreams substreams, UpdateReceiver receiver) {
        this.substreams = substreams;
        this.receiver = receiver;
    }

    /** The stream is about to be opened, after {@code read} was read: its subscription names the documents followed now. */
    void subscribing(VerifiedRepresentation read) {
        directory = read;
        named = substreams.followed();
    }

    /** A control event, to route at the hand-over. */
    void control(SseParser.Event e) {
        controls.add(e);
    }

    /** A document event for {@code target}, waiting for its signature event. */
    void data(String target, UpdateApplier.Data d) {
        pendingTarget = target;
        pending = d;
    }

    /** The document event waiting for {@code target}'s signature event, or null; it waits no more. */
    UpdateApplier.Data takeData(String target) {
        UpdateApplier.Data d = target.equals(pendingTarget) ? pending : null;
        pendingTarget = null;
        pending = null;
        return d;
    }

    /** The update of {@code target} that proved the stream: taken at the hand-over; the substream is in step. */
    void proving(String target, UpdateApplier.Result.Applied update) {
        stale.remove(target);
        provingTarget = target;
        proving = update;
    }

    /** An update of {@code target} not taken: its substream is put back on the version held at the hand-over. */
    void stale(String target) {
        stale.add(target);
    }

    /**
     * The stream at {@code uri} is the feed's now ({@code events} started afresh for it, the stream
     * listened to as the working one): what was held back goes where it would have gone on it. The
     * directory read is taken, the control events are routed (the control URI, documents
     * announced), the update that proved the stream is taken, the substreams whose updates were
     * not taken are put back on the versions held, and a document event still waiting for its
     * signature event is handed on. The subscription was made before the trial ended, so what the
     * working stream learnt meanwhile is made good on this one: the documents followed since (a new
     * document the working stream announced, whose substream was added there) are added to it from
     * the versions held ({@link FeedEvents#add}: an announcement of them on this stream adds
     * nothing, since they are followed already); of those it named that are followed no more (the
     * working stream's upstream stopped them), one this stream's upstream announces is followed
     * again as it is, its substream there (an addition would be refused: {@link
     * FeedEvents#carrying}), and the others are removed from it ({@link FeedEvents#remove}), as
     * they were from the working one. Until the upstream acts on that removal, the stream may
     * still carry their updates: they are not taken ({@link FeedEvents#route}), nor is the update
     * that proved the stream if it was one of theirs, so the switch hands on nothing the feed had
     * stopped following. {@code resubscribe}: see {@link FeedEvents#route}.
     */
    void handOver(URI uri, FeedEvents events, Consumer<String> resubscribe) {
        Map<String, String> since = substreams.followedBeyond(named); // before the control events follow more
        receiver.read(directory);
        events.carrying(named);
        for (SseParser.Event e : controls) {
            events.route(uri, e, resubscribe);
        }
        events.add(since, resubscribe);
        events.remove(named, resubscribe);
        if (proving != null) {
            events.taken(provingTarget, proving);
        }
        events.resync(stale, resubscribe);
        if (pending != null) {
            receiver.data(pendingTarget, pending.patch(), pending.bytes());
        }
    }
}
