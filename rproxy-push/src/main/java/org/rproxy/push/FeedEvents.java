package org.rproxy.push;

import java.net.URI;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.stream.SseParser;
import org.rproxy.core.stream.UpdateApplier;

/**
 * Routes the events of the push feed's upstream stream: control events to {@link StreamControl},
 * a document's data (full or merge patch) and signature events to the {@link UpdateReceiver},
 * by the substream its event type names, and tells the {@link SubstreamResync} how each update
 * fared. Events of a substream this feed never gave are ignored, and so are those of a document it
 * follows no more: a stream taken over from a trial carries, until its upstream acts on the
 * removal asked for at the switch ({@link TrialHandOver}), the substreams of documents the
 * working stream's upstream stopped meanwhile; the stream it replaced carried none of them once
 * stopped, so the switch hands on nothing the feed had stopped following. Not thread-safe: the
 * feed's own thread owns it.
 */
final class FeedEvents {
    private final Substreams substreams;
    private final StreamControl control;
    private final UpdateReceiver receiver;
    private final SubstreamResync resync;

    FeedEvents(Substreams substreams, StreamControl control, UpdateReceiver receiver, SubstreamResync resync) {
        this.substreams = substreams;
        this.control = control;
        this.receiver = receiver;
        this.resync = resync;
    }

    /** A new stream starts (the first, or after a loss): nothing of the one before carries over. */
    void streamStarted() {
        receiver.streamStarted();
        control.streamStarted();
        resync.streamStarted();
    }

    /**
     * An update checked on a stream on trial ({@link StreamTrial}), now the feed's: taken as if
     * it had just come on it, that is, only if its document is still followed (see {@link #route}).
     */
    void taken(String target, UpdateApplier.Result.Applied update) {
        if (substreams.follows(target) && receiver.accept(update.copy(), update.newBytes())) {
            resync.verified(target);
        }
    }

    /**
     * The substreams of {@code targets}, whose updates a stream on trial sent were not taken, are
     * put back on the versions held, as after a rejected update.
     */
    void resync(Collection<String> targets, Consumer<String> resubscribe) {
        targets.forEach(t -> resync.rejected(t, resubscribe));
    }

    /**
     * The documents of {@code documents} (target to resource id) still followed are added to the
     * stream from the versions held ({@link StreamControl#add}).
     */
    void add(Map<String, String> documents, Consumer<String> resubscribe) {
        control.add(documents, resubscribe);
    }

    /** The stream carries the substreams of {@code named} ({@link StreamControl#carrying}). */
    void carrying(Set<String> named) {
        control.carrying(named);
    }

    /** The substreams of {@code named} followed no more are removed from the stream ({@link StreamControl#remove}). */
    void remove(Collection<String> named, Consumer<String> resubscribe) {
        control.remove(named, resubscribe);
    }

    /** Control requests made to re-add substreams after rejected updates. */
    long resyncs() {
        return resync.resyncs();
    }

    /** What an event routed was, as far as the stream's life is concerned. */
    enum Routed {
        /** The control event of an accepted subscription (its control URI taken). */
        ACCEPTED,
        /** A signature event whose update verified and was handed on. */
        VERIFIED,
        /** Anything else. */
        OTHER
    }

    /**
     * Routes {@code e}, an event of the stream at {@code stream}, and says what it was.
     * {@code resubscribe}: see {@link StreamControl#onEvent}; a rejected update re-adds its
     * substream, or failing that tells it why ({@link SubstreamResync}).
     *
     * @throws IllegalStateException when the stream is refused ({@link StreamControl#onEvent})
     */
    Routed route(URI stream, SseParser.Event e, Consumer<String> resubscribe) {
        String type = e.type();
        int comma = type.lastIndexOf(',');
        if (comma < 0) {
            return type.equals(MediaTypes.UPDATE_STREAM_CONTROL) && control.onEvent(stream, e.data(), resubscribe)
                    ? Routed.ACCEPTED : Routed.OTHER;
        }
        String media = type.substring(0, comma);
        String target = substreams.followedTarget(type.substring(comma + 1));
        if (target == null) {
            return Routed.OTHER;
        }
        if (media.equals(SignatureEvent.MEDIA_TYPE)) {
            switch (receiver.signature(target, e.data())) {
                case ACCEPTED -> {
                    resync.verified(target);
                    return Routed.VERIFIED;
                }
                case REJECTED -> resync.rejected(target, resubscribe);
                case REPEATED -> { } // the version held, again: no news of the substream's step
            }
        } else {
            receiver.data(target, media.equals(MediaTypes.MERGE_PATCH), e.data());
        }
        return Routed.OTHER;
    }
}
