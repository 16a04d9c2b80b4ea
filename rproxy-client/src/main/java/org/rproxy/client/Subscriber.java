package org.rproxy.client;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.rproxy.core.store.Representation;

/**
 * Opens a follower's update-stream subscriptions: at a source's stream (the directory's
 * {@code text/event-stream} resource, else {@code /updates}), naming the versions held, and
 * records how that went in the sources' health: the exchange as a fetch's, and a failure in the
 * record of subscriptions too ({@link SourceHealth#recentStreamFailures}, where a stream answered
 * counts as a success only once it has lasted, {@link UpdateFollower}). Called on the follower's thread, or on its watch's for a move to a proxy
 * ({@link MoveToProxy}); thread-safe.
 */
final class Subscriber {
    private final HeldState state;
    private final Sources sources;
    private final Fetcher fetcher;
    private final Checker checker;
    private final LongSupplier ticker;

    Subscriber(HeldState state, Sources sources, Fetcher fetcher, Checker checker, LongSupplier ticker) {
        this.state = state;
        this.sources = sources;
        this.fetcher = fetcher;
        this.checker = checker;
        this.ticker = ticker;
    }

    /**
     * Subscribes at {@code source}.
     *
     * @throws ClientException when no stream could be had there (recorded as the source's failure,
     *                         unless it was {@link ClientException.Interrupted}: the caller's doing)
     */
    Subscription open(URI source) {
        URI uri = Sources.at(source, state.updatesPath().orElse("/updates"));
        Map<String, String> targets = state.streamTargets();
        // One look at what is held (named when subscribing: the stream's first patches are made from
        // those, whatever another thread takes meanwhile) and at the newest verified, state file
        // included: no update may be older (read before subscribing, as a request's floor is).
        Map<String, Representation> named = new HashMap<>();
        targets.values().forEach(t -> {
            Representation r = state.get(t);
            if (r != null) {
                named.put(t, r);
            }
        });
        Map<String, Instant> verified = checker.held(targets.values());
        long start = ticker.getAsLong();
        try {
            InputStream in = fetcher.subscribe(uri, StreamParams.of(targets, named::get));
            Duration took = Duration.ofNanos(ticker.getAsLong() - start);
            // the record of subscriptions takes it as a success only once the stream lasted
            // (UpdateFollower): a proxy that answers and ends at once is not one
            sources.health().succeeded(source, took);
            return new Subscription(source, uri, targets, named, verified, in);
        } catch (ClientException.Interrupted e) {
            throw e;
        } catch (ClientException e) {
            sources.health().failed(source, e);
            sources.health().streamFailed(source, e);
            throw e;
        }
    }
}
