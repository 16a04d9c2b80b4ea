package org.rproxy.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What an {@link UpdateFollower} told a test: the answers after each change, the streams followed
 * (empty when none), and every update refused; with waits of up to 30 s for a refusal of a given
 * kind or a change to a given cost (from 128.36.1.5 to 130.132.3.9, the sample maps' pair the
 * stream tests edit).
 */
final class HeardUpdates implements UpdateFollower.Listener {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    final BlockingQueue<LocalAnswers> changes = new LinkedBlockingQueue<>();
    final BlockingQueue<Optional<String>> following = new LinkedBlockingQueue<>();
    final BlockingQueue<ClientException> refused = new LinkedBlockingQueue<>();
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

    /** The first refusal of kind {@code type} (those before it are kept for {@link #toString}). */
    <T extends ClientException> T await(Class<T> type) throws InterruptedException {
        long end = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < end) {
            ClientException e = refused.poll(100, TimeUnit.MILLISECONDS);
            if (e != null) {
                seen.add(e);
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 30 s; " + this);
    }

    /** The answers of the first change that makes the cost from 128.36.1.5 to 130.132.3.9 {@code cost}. */
    LocalAnswers awaitCost(double cost) throws InterruptedException {
        long end = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < end) {
            LocalAnswers a = changes.poll(100, TimeUnit.MILLISECONDS);
            if (a != null && a.cost("128.36.1.5", "130.132.3.9").orElse(0) == cost) {
                return a;
            }
        }
        throw new AssertionError("no change to " + cost + " within 30 s; " + this);
    }

    /** Every update refused as invalid so far. */
    List<ClientException> invalid() {
        refused.drainTo(seen);
        return seen.stream().filter(e -> e instanceof ClientException.InvalidResponse).toList();
    }

    /** Every update refused as a rollback so far. */
    List<ClientException> rollbacks() {
        refused.drainTo(seen);
        return seen.stream().filter(e -> e instanceof ClientException.Rollback).toList();
    }

    @Override
    public String toString() {
        refused.drainTo(seen);
        return "following " + following + ", refused " + seen;
    }
}
