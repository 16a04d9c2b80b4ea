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
 * the application). Called on the follower's thread.
 */
final class GuardedListener implements UpdateFollower.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateFollower.class);

    private final UpdateFollower.Listener listener;
    private final BooleanSupplier closed;

    /** @param closed true once the follower is closed */
    GuardedListener(UpdateFollower.Listener listener, BooleanSupplier closed) {
        this.listener = requireNonNull(listener, "listener");
        this.closed = requireNonNull(closed, "closed");
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

    private void run(Runnable call, String what) {
        if (closed.getAsBoolean()) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("the update listener's {} threw; following goes on", what, e);
        }
    }
}
