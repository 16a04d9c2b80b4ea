package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The fetches of one {@link AltoClient#refreshMaps()}, or of one poll of an update follower
 * ({@link MapPoll}), at once rather than one after another (an application refreshing at a flash
 * crowd waits for the slowest map, not for the sum of them): at
 * most {@link #AT_ONCE} fetches run at a time over every caller of the client, on daemon threads
 * the client owns ({@code alto-client-maps-M} and the origin's host, ended by {@link #close()}, at once when idle).
 *
 * <p>The caller waits for the maps in the order asked, and what it sees is what it saw when they
 * were fetched one by one on its own thread: the refusal of the first map (in that order) that
 * could not be had ends the call, and the fetches still running are stopped (interrupted: no
 * source is blamed for them); an interrupt of the caller ends the call at once with
 * {@link ClientException.Interrupted}, its interrupt status kept, and stops every fetch of the
 * call likewise. Thread-safe.
 */
final class MapFetches implements AutoCloseable {
    /** The most map fetches running at once per client. */
    static final int AT_ONCE = 4;

    private final ThreadPoolExecutor pool;

    /** @param of whose client's these are, in the threads' names after their role ({@link ClientThreads#of(URI)}) */
    MapFetches(String of) {
        requireNonNull(of, "of");
        pool = new ThreadPoolExecutor(AT_ONCE, AT_ONCE, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                ClientThreads.numbered("alto-client-maps", of));
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Applies {@code fetch} to every target at once, on this client's threads (one target on the
     * caller's own), and returns the results in the order of {@code targets}.
     *
     * @param uriOf the URL a target is named by in a refusal (the origin's)
     * @throws ClientException.Interrupted when the calling thread is, or becomes, interrupted
     * @throws RuntimeException            the first target's (in order) refusal
     * @throws IllegalStateException       once closed
     */
    <T> List<T> fetchAll(List<String> targets, Function<String, T> fetch, Function<String, URI> uriOf) {
        if (targets.size() <= 1) {
            return targets.stream().map(fetch).toList(); // nothing to wait for at once: no hand-off
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new ClientException.Interrupted(uriOf.apply(targets.get(0)), null);
        }
        List<Future<T>> running = new ArrayList<>(targets.size());
        try {
            for (String target : targets) {
                running.add(pool.submit(() -> fetch.apply(target)));
            }
        } catch (RejectedExecutionException e) {
            stop(running);
            throw new IllegalStateException("this client is closed: " + uriOf.apply(targets.get(0)) + " not asked", e);
        }
        List<T> out = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            try {
                out.add(running.get(i).get());
            } catch (InterruptedException e) {
                stop(running);
                Thread.currentThread().interrupt(); // the caller's: kept for it to see
                throw new ClientException.Interrupted(uriOf.apply(targets.get(i)), e);
            } catch (ExecutionException e) {
                stop(running);
                throw unchecked(e.getCause());
            }
        }
        return out;
    }

    /** Stops every fetch of one call: those running are interrupted, which blames no source. */
    private static void stop(List<? extends Future<?>> running) {
        running.forEach(f -> f.cancel(true));
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t); // not reached: a fetch throws nothing checked
    }

    /**
     * Takes no more fetches: a call after this is refused, those queued still end (refused by the
     * closed client), and the threads end, at once when idle, else when their fetch does. Closing
     * again does nothing.
     */
    @Override
    public void close() {
        pool.shutdown();
    }
}
