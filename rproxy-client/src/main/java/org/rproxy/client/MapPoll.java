package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.store.Representation;

/**
 * One poll of an {@link UpdateFollower} that has no stream: the directory (for the origin's
 * keys), then the maps again, fetched at once as {@link AltoClient#refreshMaps()} fetches them
 * (the client's {@link MapFetches}, shared with it, so that a poll at a flash crowd waits for its
 * slowest map, not for the sum of them). Unlike {@code refreshMaps}, a map that could not be had
 * does not stop the others: the listener is told each refusal, in the maps' order, and every map
 * had is taken; maps had that do not fit together are made to fit as {@code refreshMaps} makes them
 * ({@link FittingMaps}), the listener told when no source has maps that fit; and so are the maps a
 * stream left not fitting ({@link #refit}). A close of the follower interrupts the poll: the fetches under way are stopped, no
 * source is blamed and nothing is told. Runs on the follower's thread.
 */
final class MapPoll {
    private final HeldState state;
    private final Sources sources;
    private final MapFetches mapFetches;
    private final GuardedListener listener;
    private final ToldAnswers told;
    private final BooleanSupplier closed;

    /** @param closed whether the follower is closed (or its thread interrupted) */
    MapPoll(HeldState state, Sources sources, MapFetches mapFetches, GuardedListener listener,
            BooleanSupplier closed) {
        this.state = requireNonNull(state, "state");
        this.sources = requireNonNull(sources, "sources");
        this.mapFetches = requireNonNull(mapFetches, "mapFetches");
        this.listener = requireNonNull(listener, "listener");
        this.told = new ToldAnswers(state, listener);
        this.closed = requireNonNull(closed, "closed");
    }

    /** {@return what the follower told its listener last, shared with its streams' readers} */
    ToldAnswers told() {
        return told;
    }

    /**
     * Polls once; tells the listener of every refusal of the directory or a map that is news (not
     * as at the last poll: {@link GuardedListener#refusedPolling}), then of the new answers when
     * the maps changed.
     */
    void run() {
        try {
            if (KeysBeforeMaps.read(sources, listener::refusedPolling)) {
                listener.worked(Sources.at(sources.origin(), AnswerEngine.DIRECTORY));
            }
        } catch (ClientException.Interrupted e) {
            return; // closed mid-poll: no source was blamed, and nothing is told
        } catch (ClientException e) {
            listener.refused(e);
        }
        List<String> targets = state.mapTargets();
        List<Polled> polled;
        try {
            polled = mapFetches.fetchAll(targets, this::fetch, t -> Sources.at(sources.origin(), t));
        } catch (ClientException.Interrupted e) {
            return;
        } catch (IllegalStateException e) {
            if (closed.getAsBoolean()) {
                return; // the client closed its fetches after its wait for this follower ran out
            }
            throw e;
        }
        boolean changed = false;
        List<VerifiedDocument> had = new ArrayList<>(polled.size());
        for (int i = 0; i < polled.size(); i++) {
            Polled p = polled.get(i);
            if (p.refused() != null) {
                listener.refusedPolling(p.refused());
            } else {
                listener.worked(Sources.at(sources.origin(), targets.get(i)));
            }
            changed |= p.changed();
            had.add(p.doc());
        }
        if (changed) {
            settle(targets, had);
        } else {
            told.tellNew(); // a version the application's refreshMaps took since the last one told
        }
    }

    /**
     * After a stream that left the maps held not fitting together (it sent a new network map and
     * not the cost maps on it, or the other way round): the maps behind are fetched again from the
     * other sources as a poll's are, each map held counted as {@code source}'s copy (the source
     * skipped for it), and the listener told the answers, or why no source had maps that fit.
     */
    void refit(URI source) {
        List<String> targets = state.mapTargets();
        List<VerifiedDocument> held = new ArrayList<>(targets.size());
        for (String t : targets) {
            Representation r = state.get(t);
            held.add(r == null ? null : new VerifiedDocument(t, Sources.at(source, t), r, List.of()));
        }
        settle(targets, held);
    }

    /** Makes the maps {@code had} fit ({@link FittingMaps}) and tells the listener the new answers, or why not. */
    private void settle(List<String> targets, List<VerifiedDocument> had) {
        try {
            new FittingMaps(state, sources).settle(targets, had);
        } catch (ClientException.Interrupted e) {
            return;
        } catch (ClientException e) {
            listener.refused(e); // no source had maps that fit: the answers told last stand
            return;
        }
        told.tellNew();
    }

    /**
     * One map, on a thread of the client's fetches: its refusal is kept for the follower's thread
     * to tell ({@code fetchAll} would stop the other maps on one thrown), an interrupt is thrown on.
     */
    private Polled fetch(String target) {
        try {
            VerifiedDocument d = sources.fetch(target);
            return new Polled(state.put(target, d.representation()), d, null);
        } catch (ClientException.Interrupted e) {
            throw e;
        } catch (ClientException e) {
            return new Polled(false, null, e);
        }
    }

    /** What one map's fetch came to: the copy had and whether it was taken as a change, or refused (with why). */
    private record Polled(boolean changed, VerifiedDocument doc, ClientException refused) {
    }
}
