package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's {@link UpdateFollower.Listener} with every call guarded: an exception it
 * throws is logged and following goes on; and once the follower is closed, nothing more is
 * passed on (what fails because of the close, an interrupted fetch or a stream cut, is no news to
 * the application). What a follower with no stream is refused (a subscription, a poll's fetch) is
 * passed on once per outage ({@link #refusedPolling}, {@link OutageRefusals}), not at every poll. Called on the follower's thread; while the application's listener runs, the
 * stream's watch judges nothing ({@link StreamWatch#listening}): a listener busy for longer than the
 * read timeout has not made the stream silent (renewals and fit are judged during a call only once
 * the grace after an earlier return is over, {@link StreamWatch#listened}). Polling is told once, when it begins
 * ({@code following(null)}), not again at each poll of it: nothing changed for the application.
 */
final class GuardedListener implements UpdateFollower.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateFollower.class);

    private final UpdateFollower.Listener listener;
    private final BooleanSupplier closed;
    private final StreamWatch watch;
    /** Whether the listener was last told {@code following(null)}: polling (the follower's thread only). */
    private boolean polling;
    private final OutageRefusals outage = new OutageRefusals();

    /**
     * @param closed true once the follower is closed
     * @param watch  the follower's stream watch, told when the listener is called and when it returns
     */
    GuardedListener(UpdateFollower.Listener listener, BooleanSupplier closed, StreamWatch watch) {
        this.listener = requireNonNull(listener, "listener");
        this.closed = requireNonNull(closed, "closed");
        this.watch = requireNonNull(watch, "watch");
    }

    @Override
    public void changed(LocalAnswers answers) {
        run(() -> listener.changed(answers), "changed");
    }

    @Override
    public void refused(ClientException why) {
        run(() -> listener.refused(why), "refused");
    }

    /** A refusal while no stream is followed: told only when it is news ({@link OutageRefusals}). */
    void refusedPolling(ClientException why) {
        if (outage.news(why)) {
            refused(why);
        }
    }

    /** A poll fetched {@code uri} (as its refusal would name it): its next refusal is news. */
    void worked(URI uri) {
        outage.worked(uri);
    }

    @Override
    public void following(URI stream) {
        if (stream != null) {
            outage.streamFollowed();
        }
        if (stream == null && polling) {
            return; // another poll, no news
        }
        polling = stream == null;
        run(() -> listener.following(stream), "following");
    }

    private void run(Runnable call, String what) {
        if (closed.getAsBoolean()) {
            return;
        }
        watch.listening();
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("the update listener's {} threw; following goes on", what, e);
        } finally {
            watch.listened();
        }
    }
}
