package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's records alive in the DHT: its pointers (a publisher's) and its announcements as
 * a seed (a publisher's and a seeding client's alike). A record is stored until at least half of
 * the closest nodes took it, again a second later while fewer did, up to {@value #TRIES} tries (a
 * node that just started may not have joined yet, and nodes throttle a sender that asks too much
 * at once). It is stored again after 10 s and after a minute, while the DHT around it settles: a
 * busy or changing DHT does not always show one lookup its closest nodes, and a node that just
 * joined knows only a few of them, so readers would find an older pointer on the others, or the
 * pointer and no seeder. Then it is stored again every {@code republish}, because DHT nodes
 * forget. A put that the nodes refuse because they hold a newer version of the item ({@link
 * Stored#superseded}: the origin's clock stepped back) is not tried again at once, nor warned
 * of here (its outcome is told, which says so once). A store that no DHT node took (a node that
 * started before any other, say, or that newer version in the way) is made
 * again after {@link #UNREACHED} and then twice as long each time, up to {@link #UNREACHED_CAP},
 * until some node takes it; the settling stores and the republishing follow from then on (else
 * a pointer put before the first peer joined was found by nobody until the next republish). All of it only while the record is still wanted (the pointer is current, the torrent
 * still seeded). A record kept already (the same {@code what}) is stored once more, and not kept
 * twice.
 *
 * <p>The timers run on one {@code rproxy-overlay-renewals} thread, which also starts each store;
 * stores complete on mldht's threads. Thread-safe.
 */
final class Renewals implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Renewals.class);
    static final int TRIES = 5;
    /** When a record is stored again after its first store, while the DHT around it settles. */
    static final List<Duration> SETTLE = List.of(Duration.ofSeconds(10), Duration.ofMinutes(1));
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** When a record that no node took is stored again, doubling each time up to {@link #UNREACHED_CAP}. */
    static final Duration UNREACHED = Duration.ofSeconds(10);
    static final Duration UNREACHED_CAP = Duration.ofMinutes(2);

    private final ScheduledExecutorService timer;
    private final List<Duration> settle;
    private final Duration republish;
    private final Duration retry;
    private final Duration unreached;
    private final Duration unreachedCap;
    /** The records kept, by what they are. */
    private final Map<String, Kept> kept = new HashMap<>();

    Renewals(Duration republish) {
        this(SETTLE, republish, RETRY);
    }

    /** With other times than the DHT's: for tests. {@code settle} counts from the first store, ascending. */
    Renewals(List<Duration> settle, Duration republish, Duration retry) {
        this(settle, republish, retry, UNREACHED, UNREACHED_CAP);
    }

    /** As above, and with other times for a record no node took: the first wait, and the longest. */
    Renewals(List<Duration> settle, Duration republish, Duration retry, Duration unreached, Duration unreachedCap) {
        this.unreached = requireNonNull(unreached, "unreached");
        this.unreachedCap = requireNonNull(unreachedCap, "unreachedCap");
        this.settle = List.copyOf(settle);
        this.republish = requireNonNull(republish, "republish");
        this.retry = requireNonNull(retry, "retry");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rproxy-overlay-renewals");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Stores a record with {@code step} (a put or an announcement), and keeps storing it as the
     * class says while {@code wanted} holds. {@code outcome} is told how each store went, after
     * its last try.
     *
     * @param what what is stored, for the log ("putting ...", "announcing ...")
     * @return how the first store went, after its tries; never completes exceptionally
     */
    CompletableFuture<Stored> keep(String what, Supplier<CompletableFuture<Stored>> step, BooleanSupplier wanted,
                                   Consumer<Stored> outcome) {
        Kept k = new Kept(requireNonNull(what, "what"), requireNonNull(step, "step"), requireNonNull(wanted, "wanted"),
                requireNonNull(outcome, "outcome"));
        boolean first;
        synchronized (kept) {
            first = kept.putIfAbsent(what, k) == null;
        }
        CompletableFuture<Stored> stored = k.store();
        if (first) {
            stored.thenAccept(s -> renew(k, 0, s));
        }
        return stored;
    }

    /** Forgets at once every record no longer wanted (a retired pointer, a dropped torrent), not at its next renewal. */
    void prune() {
        synchronized (kept) {
            kept.values().removeIf(k -> !k.wanted.getAsBoolean());
        }
    }

    /** How many records are kept now. */
    int size() {
        synchronized (kept) {
            return kept.size();
        }
    }

    /**
     * Schedules the next store of {@code k}, whose last store went as {@code last}: while no node
     * took it, after the unreached backoff; else its {@code round}th renewal (the settling ones
     * first, then every {@code republish}).
     */
    private void renew(Kept k, int round, Stored last) {
        Duration after;
        int next;
        if (last.nodes() == 0) {
            after = unreached.multipliedBy(1L << Math.min(k.unreached++, 20));
            after = after.compareTo(unreachedCap) > 0 ? unreachedCap : after;
            next = round;
        } else {
            k.unreached = 0;
            after = round < settle.size()
                    ? settle.get(round).minus(round == 0 ? Duration.ZERO : settle.get(round - 1))
                    : republish;
            next = round + 1;
        }
        later(() -> {
            synchronized (kept) {
                if (!k.wanted.getAsBoolean()) {
                    kept.remove(k.what, k);
                    return;
                }
            }
            k.store().thenAccept(s -> renew(k, next, s));
        }, after);
    }

    /** Runs {@code task} on the timer after {@code delay}; false when closed. */
    private boolean later(Runnable task, Duration delay) {
        try {
            timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException closed) {
            return false;
        }
    }

    /** Stops every renewal; stores under way finish. */
    @Override
    public void close() {
        timer.shutdownNow();
        synchronized (kept) {
            kept.clear();
        }
    }

    /** One record kept alive. */
    private final class Kept {
        final String what;
        final Supplier<CompletableFuture<Stored>> step;
        final BooleanSupplier wanted;
        final Consumer<Stored> outcome;
        /** Stores in a row that no node took (one store at a time: each renewal follows the last). */
        int unreached;

        Kept(String what, Supplier<CompletableFuture<Stored>> step, BooleanSupplier wanted, Consumer<Stored> outcome) {
            this.what = what;
            this.step = step;
            this.wanted = wanted;
            this.outcome = outcome;
        }

        CompletableFuture<Stored> store() {
            CompletableFuture<Stored> done = new CompletableFuture<>();
            attempt(TRIES, done);
            return done.thenApply(s -> {
                try {
                    outcome.accept(s);
                } catch (RuntimeException e) {
                    log.warn("overlay: {}: {}", what, e.toString());
                }
                return s;
            });
        }

        private void attempt(int tries, CompletableFuture<Stored> done) {
            CompletableFuture<Stored> tried;
            try {
                tried = step.get();
            } catch (RuntimeException e) {
                tried = CompletableFuture.failedFuture(e);
            }
            tried.whenComplete((s, failure) -> {
                Stored out = failure == null ? s : new Stored(0, 0);
                String why = failure == null ? "" : " (" + failure + ")";
                if (out.enough() || !wanted.getAsBoolean()) {
                    done.complete(out);
                } else if (out.superseded()) {
                    // the nodes hold a newer version and refuse this one until they forget it; the
                    // outcome says so (once), and the unreached backoff spaces the next stores
                    log.debug("overlay: {}: the DHT nodes hold a newer version (seq {}){}", what, out.newerSeq(), why);
                    done.complete(out);
                } else if (tries > 1 && later(() -> attempt(tries - 1, done), retry)) {
                    log.debug("overlay: {}: {} of the {} closest DHT nodes took it{}; again", what, out.nodes(),
                            out.closest(), why);
                } else {
                    if (!timer.isShutdown()) {
                        log.warn("overlay: {}: {} of the {} closest DHT nodes took it{}", what, out.nodes(), out.closest(), why);
                    }
                    done.complete(out);
                }
            });
        }
    }
}
