package org.rproxy.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A client's update followers: each one started is kept until it is closed, on its own or by
 * {@link #close}. Closing tells every follower to stop before it waits for any, and then waits for
 * them all until one deadline: with listeners that block, a client of N followers closes within
 * about one timeout, not N of them one after another, and every follower has been told to end for
 * all of that wait. Thread-safe; nothing is waited for under its lock, so a listener may call
 * {@code follow} while the client closes (and is refused).
 */
final class Followers {
    private final List<UpdateFollower> running = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by this

    /**
     * Starts the follower {@code make} makes, given what lets it go once closed on its own.
     *
     * @throws IllegalStateException once {@link #close}d
     */
    synchronized UpdateFollower start(Function<Consumer<UpdateFollower>, UpdateFollower> make) {
        if (closed) {
            throw new IllegalStateException("follow: this client is closed");
        }
        UpdateFollower f = make.apply(this::forget);
        running.add(f);
        f.start();
        return f;
    }

    /** Lets go of a follower closed on its own: an application may follow and stop any number of times. */
    private synchronized void forget(UpdateFollower f) {
        running.remove(f);
    }

    /**
     * Stops every follower started, and refuses to start more; waits for their threads until
     * {@code timeout} from now, in all. Closing again does nothing.
     */
    void close(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<UpdateFollower> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(running);
            running.clear();
        }
        all.forEach(UpdateFollower::stop);
        all.forEach(f -> f.close(end));
    }
}
