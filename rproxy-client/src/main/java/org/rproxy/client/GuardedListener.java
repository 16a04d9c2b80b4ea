package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's {@link UpdateFollower.Listener} with every call guarded: an exception it
 * throws is logged and following goes on. Called on the follower's thread.
 */
final class GuardedListener implements UpdateFollower.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateFollower.class);

    private final UpdateFollower.Listener listener;

    GuardedListener(UpdateFollower.Listener listener) {
        this.listener = requireNonNull(listener, "listener");
    }

    @Override
    public void changed(LocalAnswers answers) {
        run(() -> listener.changed(answers), "changed");
    }

    @Override
    public void refused(ClientException why) {
        run(() -> listener.refused(why), "refused");
    }

    @Override
    public void following(URI stream) {
        run(() -> listener.following(stream), "following");
    }

    private static void run(Runnable call, String what) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("the update listener's {} threw; following goes on", what, e);
        }
    }
}
