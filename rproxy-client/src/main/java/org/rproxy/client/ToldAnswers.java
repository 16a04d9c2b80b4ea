package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What an {@link UpdateFollower} told its listener last, so that the listener hears each new version
 * of the maps the client holds once, whoever took it: the follower's stream or poll, or the
 * application's own {@link AltoClient#refreshMaps()} on another thread. A version a refresh took
 * first changes nothing held when the stream or the poll brings it, and was told nothing before: an
 * application updating its view from the listener stayed on the old costs. Versions are compared by
 * the digests of the maps the answers come from ({@link HeldState.Built}), so a renewal of the same
 * maps is no change. Used on the follower's thread.
 */
final class ToldAnswers {
    private final HeldState state;
    private final UpdateFollower.Listener listener;
    /** The digests of the maps of the answers told last (or held when following began), or null for none. */
    private List<Optional<String>> told;

    /** Counts the answers held now as told: the application has them, from its {@code refreshMaps()}. */
    ToldAnswers(HeldState state, UpdateFollower.Listener listener) {
        this.state = requireNonNull(state, "state");
        this.listener = requireNonNull(listener, "listener");
        HeldState.Built now = state.built();
        this.told = now == null ? null : now.digests();
    }

    /** Tells the listener the answers held now, when they come from other versions of the maps than those told last. */
    void tellNew() {
        HeldState.Built now = state.built();
        if (now != null && !now.digests().equals(told)) {
            told = now.digests();
            listener.changed(now.answers());
        }
    }
}
