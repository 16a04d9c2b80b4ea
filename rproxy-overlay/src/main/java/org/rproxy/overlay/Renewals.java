package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
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
 * of here (its outcome is told, which says so once). A store that found no DHT node at all is said
 * once at INFO and warned of only when that lasts ({@link LoneStores}). A store that no DHT node took (a node that
 * started before any other, say, or that newer version in the way) is made
 * again after {@code unreached} (10 s) and then twice as long each time, up to {@code unreachedCap} (2 min),
 * until some node takes it; the settling stores and the republishing follow from then on (else
 * a pointer put before the first peer joined was found by nobody until the next republish).
 * A record whose last store reached fewer than the {@value NearestLookup#K} closest nodes (the
 * node knew too few) is stored at once, not at its next turn, when the node's routing table has
 * since grown to at least twice what it was at that store, from none to one included: a
 * publisher started alone had its pointer found by nobody for up to the backoff's two minutes
 * after the first peer joined. Bounded: at most once per doubling, and not within
 * {@code unreached} of the record's last store, the records due one {@code retry} apart, so many
 * nodes joining at once make a few stores, not one per node. A record {@code covered} by another
 * one's stores (an announcement the current pointer's every store makes too) skips its renewals
 * while it is. All of it only while the record is still wanted (the pointer is current, the torrent
 * still seeded). A record kept already (the same {@code what}) is stored once more, and not kept
 * twice. The times given here are {@link RenewalTimes#DEFAULT}'s, which only tests change.
 *
 * <p>The timers run on one {@code rproxy-overlay-renewals} thread, which also starts each store;
 * stores complete on mldht's threads. Thread-safe.
 */
final class Renewals implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Renewals.class);
    static final int TRIES = 5;
    private final ScheduledExecutorService timer;
    private final List<Duration> settle;
    private final Duration republish;
    private final Duration retry;
    private final Duration unreached;
    private final Duration unreachedCap;
    /** The number of nodes the node's lookups may start from now (its routing table's). */
    private final IntSupplier tableSize;
    /** Checks of the table's growth made so far: the clock of {@link Kept#startedAt}. */
    private long ticks;
    /** How many checks make the least time between a record's store and an early one ({@code unreached}). */
    private final long spacing;
    /** The records kept, by what they are. */
    private final Map<String, Kept> kept = new HashMap<>();
    /** How this node's stores that found no DHT node at all are said: once, not at every backoff. */
    private final LoneStores lone = new LoneStores();

    /** With the DHT's times, watching {@code tableSize}, the nodes the node's lookups may start from. */
    Renewals(Duration republish, IntSupplier tableSize) {
        this(republish, tableSize, RenewalTimes.DEFAULT);
    }

    /** With {@code times} (a test's nodes set short ones), watching {@code tableSize}. */
    Renewals(Duration republish, IntSupplier tableSize, RenewalTimes times) {
        this(times.settle(), republish, times.retry(), times.unreached(), times.unreachedCap(),
                new TableWatch(tableSize, times.growthCheck(), times.unreached()));
    }

    /** With other times than the DHT's: for tests. {@code settle} counts from the first store, ascending. */
    Renewals(List<Duration> settle, Duration republish, Duration retry) {
        this(settle, republish, retry, RenewalTimes.DEFAULT.unreached(), RenewalTimes.DEFAULT.unreachedCap());
    }

    /** As above, and with other times for a record no node took: the first wait, and the longest. */
    Renewals(List<Duration> settle, Duration republish, Duration retry, Duration unreached, Duration unreachedCap) {
        this(settle, republish, retry, unreached, unreachedCap, new TableWatch(() -> 0, RenewalTimes.DEFAULT.growthCheck(), unreached));
    }

    /** As above, watching the routing table as {@code watch} says. */
    Renewals(List<Duration> settle, Duration republish, Duration retry, Duration unreached, Duration unreachedCap,
             TableWatch watch) {
        this.tableSize = watch.size();
        this.spacing = Math.max(1, watch.spacing().toMillis() / Math.max(1, watch.every().toMillis()));
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
        timer.scheduleWithFixedDelay(this::storeEarlyOnGrowth, watch.every().toMillis(), watch.every().toMillis(),
                TimeUnit.MILLISECONDS);
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
        return keep(what, step, wanted, () -> false, outcome);
    }

    /**
     * As {@link #keep(String, Supplier, BooleanSupplier, Consumer)}, skipping each renewal that
     * comes while {@code covered} holds (another record's stores make this one's too), its
     * schedule going on as though it had been stored; the first store is always made.
     */
    CompletableFuture<Stored> keep(String what, Supplier<CompletableFuture<Stored>> step, BooleanSupplier wanted,
                                   BooleanSupplier covered, Consumer<Stored> outcome) {
        Kept k = new Kept(requireNonNull(what, "what"), requireNonNull(step, "step"), requireNonNull(wanted, "wanted"),
                requireNonNull(covered, "covered"), requireNonNull(outcome, "outcome"));
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
     * Schedules the next store of {@code k}, whose last store went as {@code last} (null: skipped,
     * covered): while no node took it, after the unreached backoff; else its {@code round}th
     * renewal (the settling ones first, then every {@code republish}).
     */
    private void renew(Kept k, int round, Stored last) {
        Duration after;
        int next;
        if (last != null && last.nodes() == 0) {
            after = unreached.multipliedBy(1L << Math.min(k.unreached++, 20));
            after = after.compareTo(unreachedCap) > 0 ? unreachedCap : after;
            next = round;
        } else {
            k.unreached = last == null ? k.unreached : 0;
            after = round < settle.size()
                    ? settle.get(round).minus(round == 0 ? Duration.ZERO : settle.get(round - 1))
                    : republish;
            next = round + 1;
        }
        Runnable store = () -> {
            synchronized (kept) {
                k.pending = null;
                if (!k.wanted.getAsBoolean()) {
                    kept.remove(k.what, k);
                    return;
                }
            }
            if (k.covered.getAsBoolean()) {
                renew(k, next, null);
            } else {
                k.store().thenAccept(s -> renew(k, next, s));
            }
        };
        synchronized (kept) {
            k.reached = last == null ? k.reached : last.closest();
            k.pending = store;
            k.next = later(store, after);
        }
    }

    /**
     * Runs now, one {@code retry} apart, the next store of each record waiting for its turn whose
     * last store reached fewer than the closest {@value NearestLookup#K} while the routing table
     * has since at least doubled (see the class), and was made at least {@code unreached} ago.
     */
    private void storeEarlyOnGrowth() {
        int size;
        try {
            size = tableSize.getAsInt();
        } catch (RuntimeException e) { // a periodic task that throws is dropped by its executor, for good
            log.debug("overlay: the DHT node's table could not be read: {}", e.toString());
            return;
        }
        List<Runnable> due = new ArrayList<>();
        synchronized (kept) {
            ticks++;
            for (Kept k : kept.values()) {
                if (k.pending != null && k.next != null && k.reached < NearestLookup.K
                        && size >= Math.max(1, 2 * k.tableAtStore) && ticks - k.startedAt >= spacing
                        && !k.covered.getAsBoolean() && k.next.cancel(false)) {
                    due.add(k.pending);
                    k.pending = null;
                }
            }
        }
        if (!due.isEmpty()) {
            log.debug("overlay: {} DHT nodes known now; storing {} records again that reached too few", size, due.size());
        }
        for (int i = 0; i < due.size(); i++) {
            later(due.get(i), retry.multipliedBy(i));
        }
    }

    /** Runs {@code task} on the timer after {@code delay}; null when closed. */
    private ScheduledFuture<?> later(Runnable task, Duration delay) {
        try {
            return timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
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
        final BooleanSupplier covered;
        final Consumer<Stored> outcome;
        /** Stores in a row that no node took (one store at a time: each renewal follows the last). */
        int unreached;
        /** The closest nodes its last store could reach; the routing table's size and the tick when it started. */
        int reached = NearestLookup.K;
        int tableAtStore;
        long startedAt;
        /** Its next store while it waits for its turn, and that turn; guarded by {@link #kept}. */
        Runnable pending;
        ScheduledFuture<?> next;

        Kept(String what, Supplier<CompletableFuture<Stored>> step, BooleanSupplier wanted, BooleanSupplier covered,
             Consumer<Stored> outcome) {
            this.what = what;
            this.step = step;
            this.wanted = wanted;
            this.covered = covered;
            this.outcome = outcome;
        }

        CompletableFuture<Stored> store() {
            int size = tableSize.getAsInt();
            synchronized (kept) {
                tableAtStore = size;
                startedAt = ticks;
            }
            return StoreTries.store(what, step, wanted, outcome, retry, timer, lone);
        }
    }
}
