package org.rproxy.overlay;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One store of a record {@link Renewals} keeps: tried until at least half of the closest nodes
 * took it, again a {@code retry} later while fewer did, up to {@value Renewals#TRIES} tries
 * (a node that just started may not have joined yet, and nodes throttle a sender that asks too
 * much at once); not tried again when the nodes hold a newer version, or the record is no
 * longer wanted. Logs as {@link Renewals}, whose part it is: a store that found no DHT node at all
 * as {@link LoneStores} says (a lone node is expected at first), one that nodes refused at WARN.
 * Stateless.
 */
final class StoreTries {
    private static final Logger log = LoggerFactory.getLogger(Renewals.class);

    private StoreTries() {
    }

    /**
     * Stores with {@code step}, tries spaced on {@code timer}, and tells {@code outcome} how the
     * last try went; completes with it, never exceptionally.
     */
    static CompletableFuture<Stored> store(String what, Supplier<CompletableFuture<Stored>> step, BooleanSupplier wanted,
                                           Consumer<Stored> outcome, Duration retry, ScheduledExecutorService timer,
                                           LoneStores lone) {
        CompletableFuture<Stored> done = new CompletableFuture<>();
        attempt(what, step, wanted, Renewals.TRIES, retry, timer, lone, done);
        return done.thenApply(s -> {
            try {
                outcome.accept(s);
            } catch (RuntimeException e) {
                log.warn("overlay: {}: {}", what, e.toString());
            }
            return s;
        });
    }

    private static void attempt(String what, Supplier<CompletableFuture<Stored>> step, BooleanSupplier wanted, int tries,
                                Duration retry, ScheduledExecutorService timer, LoneStores lone,
                                CompletableFuture<Stored> done) {
        CompletableFuture<Stored> tried;
        try {
            tried = step.get();
        } catch (RuntimeException e) {
            tried = CompletableFuture.failedFuture(e);
        }
        tried.whenComplete((s, failure) -> {
            Stored out = failure == null ? s : new Stored(0, 0);
            String why = failure == null ? "" : " (" + failure + ")";
            if (out.closest() > 0) {
                lone.someNode();
            }
            if (out.enough() || !wanted.getAsBoolean()) {
                done.complete(out);
            } else if (out.superseded()) {
                // the nodes hold a newer version and refuse this one until they forget it; the
                // outcome says so (once), and the unreached backoff spaces the next stores
                log.debug("overlay: {}: the DHT nodes hold a newer version (seq {}){}", what, out.newerSeq(), why);
                done.complete(out);
            } else if (tries > 1 && later(timer, () -> attempt(what, step, wanted, tries - 1, retry, timer, lone, done),
                    retry)) {
                log.debug("overlay: {}: {} of the {} closest DHT nodes took it{}; again", what, out.nodes(),
                        out.closest(), why);
            } else {
                if (timer.isShutdown()) {
                    // closed meanwhile: nothing to say
                } else if (failure == null && out.closest() == 0) {
                    lone.noNode(what); // no node known at all: expected at first, warned of only if it lasts
                } else {
                    log.warn("overlay: {}: {} of the {} closest DHT nodes took it{}", what, out.nodes(), out.closest(), why);
                }
                done.complete(out);
            }
        });
    }

    private static boolean later(ScheduledExecutorService timer, Runnable task, Duration delay) {
        try {
            timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException closed) {
            return false;
        }
    }
}
