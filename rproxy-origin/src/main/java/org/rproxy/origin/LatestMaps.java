package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.rproxy.core.model.MapSet;

/**
 * The folder states the maps watcher hands the origin's publisher: at most one waits, the newest.
 * A state loaded while the publisher is busy (signing the last one, re-signing, rotating keys)
 * replaces the one waiting, if any, instead of queueing behind it. Queued, each held its whole
 * maps until its turn, without bound (a generator rewriting a large cost map faster than it is
 * rendered and signed ran the heap out), and each was signed and streamed in turn though a newer
 * one was already loaded. Thread-safe: offered on the watcher's thread, taken on the publisher's.
 */
final class LatestMaps {
    private final AtomicReference<MapSet> waiting = new AtomicReference<>();
    private final Executor publisher;
    private final Consumer<MapSet> publish;

    /** @param publish runs on {@code publisher} with the newest state waiting */
    LatestMaps(Executor publisher, Consumer<MapSet> publish) {
        this.publisher = requireNonNull(publisher, "publisher");
        this.publish = requireNonNull(publish, "publish");
    }

    /**
     * Hands {@code maps} to the publisher: a task is scheduled when none waits, and that task
     * publishes whatever is newest when it runs.
     */
    void offer(MapSet maps) {
        if (waiting.getAndSet(requireNonNull(maps, "maps")) == null) {
            publisher.execute(() -> publish.accept(waiting.getAndSet(null)));
        }
    }

    /** The state waiting to be published, or null. */
    MapSet waiting() {
        return waiting.get();
    }
}
