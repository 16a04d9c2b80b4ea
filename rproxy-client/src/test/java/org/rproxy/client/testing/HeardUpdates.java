package org.rproxy.client.testing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.ClientException;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.UpdateFollower;

/**
 * What an {@link UpdateFollower} told a test, in order: the answers after each change, the streams
 * followed (empty when polling), and every update refused; with waits for a refusal of a given
 * kind or a change to a given cost (from 128.36.1.5 to 130.132.3.9, the pair of the sample maps
 * that the stream tests edit). The client's tests and the harness's end-to-end tests use it alike
 * (this module's test jar).
 */
public final class HeardUpdates implements UpdateFollower.Listener {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The answers of each change, in order. */
    public final BlockingQueue<LocalAnswers> changes = new LinkedBlockingQueue<>();
    /** Each stream followed, as its URL, or empty when the follower polls. */
    public final BlockingQueue<Optional<String>> following = new LinkedBlockingQueue<>();
    /** Each refusal told, in order (those {@link #await} passed over are kept for {@link #toString}). */
    public final BlockingQueue<ClientException> refused = new LinkedBlockingQueue<>();
    private final List<ClientException> seen = new ArrayList<>();

    @Override
    public void changed(LocalAnswers answers) {
        changes.add(answers);
    }

    @Override
    public void refused(ClientException why) {
        refused.add(why);
    }

    @Override
    public void following(URI stream) {
        following.add(Optional.ofNullable(stream).map(Object::toString));
    }

    /** The first refusal of kind {@code type} within 30 s (those before it are kept for {@link #toString}). */
    public synchronized <T extends ClientException> T await(Class<T> type) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            ClientException e = refused.poll(100, TimeUnit.MILLISECONDS);
            if (e != null) {
                seen.add(e);
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT + "; " + this);
    }

    /** The answers of the first change within 30 s that makes the cost from 128.36.1.5 to 130.132.3.9 {@code cost}. */
    public LocalAnswers awaitCost(double cost) throws InterruptedException {
        return awaitCost(cost, WAIT);
    }

    /** As {@link #awaitCost(double)}, waiting up to {@code within}. */
    public LocalAnswers awaitCost(double cost, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            LocalAnswers a = changes.poll(100, TimeUnit.MILLISECONDS);
            if (a != null && a.cost("128.36.1.5", "130.132.3.9").orElse(0) == cost) {
                return a;
            }
        }
        throw new AssertionError("no change to " + cost + " within " + within + "; " + this);
    }

    /** Every update refused as invalid so far. */
    public List<ClientException> invalid() {
        return all().stream().filter(e -> e instanceof ClientException.InvalidResponse).toList();
    }

    /** Every update refused as a rollback so far. */
    public List<ClientException> rollbacks() {
        return all().stream().filter(e -> e instanceof ClientException.Rollback).toList();
    }

    private synchronized List<ClientException> all() {
        refused.drainTo(seen);
        return List.copyOf(seen);
    }

    @Override
    public String toString() {
        return "following " + following + ", refused " + all();
    }
}
