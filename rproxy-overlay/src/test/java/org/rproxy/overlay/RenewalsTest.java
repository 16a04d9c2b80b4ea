package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.rproxy.core.testing.Eventually;
import org.junit.jupiter.api.Test;

/**
 * The policy that keeps pointers and announcements alive, against a step that answers as the
 * test says (the DHT itself is exercised by {@code OverlayNamespaceIT} and the harness's
 * {@code overlay} scenario).
 */
class RenewalsTest {
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Stored ENOUGH = new Stored(8, 8);
    private static final Stored FEW = new Stored(1, 8);

    /** A step that answers with the given outcomes in turn (a null: a failed lookup), then with its last one, and logs when it ran. */
    private static final class Step implements Supplier<CompletableFuture<Stored>> {
        private final List<Stored> first;
        private final Stored last;
        final List<Long> calls = new CopyOnWriteArrayList<>();

        Step(Stored last, Stored... first) {
            this.last = last;
            this.first = Arrays.asList(first);
        }

        @Override
        public synchronized CompletableFuture<Stored> get() {
            int n = calls.size();
            calls.add(System.nanoTime());
            Stored s = n < first.size() ? first.get(n) : last;
            return s == null ? CompletableFuture.failedFuture(new IOException("the DHT node has no socket"))
                    : CompletableFuture.completedFuture(s);
        }
    }

    @Test
    void aStoreIsTriedAgainUntilHalfOfTheClosestNodesTookIt() throws Exception {
        try (Renewals r = new Renewals(List.of(), NEVER, Duration.ofMillis(10))) {
            Step step = new Step(ENOUGH, FEW, null, new Stored(3, 8));
            List<Stored> told = new CopyOnWriteArrayList<>();
            Stored first = r.keep("putting p", step, () -> true, told::add).get(5, TimeUnit.SECONDS);
            assertEquals(ENOUGH, first);
            assertEquals(4, step.calls.size(), "a few, a failure, a few, then enough");
            assertEquals(List.of(ENOUGH), told, "told once, after the last try");
        }
    }

    @Test
    void aStoreGivesUpAfterFiveTries() throws Exception {
        try (Renewals r = new Renewals(List.of(), NEVER, Duration.ofMillis(10))) {
            Step step = new Step(FEW);
            assertEquals(FEW, r.keep("putting p", step, () -> true, s -> { }).get(5, TimeUnit.SECONDS));
            assertEquals(Renewals.TRIES, step.calls.size());
        }
    }

    @Test
    void aPutRefusedForANewerVersionIsNotTriedAgainAtOnceAndIsToldWithThatVersion() throws Exception {
        try (Renewals r = new Renewals(List.of(), NEVER, Duration.ofMillis(10))) {
            Stored refused = new Stored(0, 8, 1_700_000_100L);
            Step step = new Step(refused);
            List<Stored> told = new CopyOnWriteArrayList<>();
            assertEquals(refused, r.keep("putting p", step, () -> true, told::add).get(5, TimeUnit.SECONDS));
            assertEquals(1, step.calls.size(), "the nodes refuse a lower seq until they forget theirs: no point in the tries");
            assertEquals(List.of(refused), told);
        }
    }

    @Test
    void aStoreIsNotTriedAgainOnceTheRecordIsNoLongerWanted() throws Exception {
        try (Renewals r = new Renewals(List.of(), NEVER, Duration.ofMillis(10))) {
            Step step = new Step(FEW);
            AtomicBoolean wanted = new AtomicBoolean(true);
            Supplier<CompletableFuture<Stored>> thenUnwanted = () -> {
                CompletableFuture<Stored> s = step.get();
                wanted.set(false);
                return s;
            };
            assertEquals(FEW, r.keep("putting p", thenUnwanted, wanted::get, s -> { }).get(5, TimeUnit.SECONDS));
            assertEquals(1, step.calls.size());
        }
    }

    @Test
    void aRecordIsStoredAgainWhileTheDhtSettlesThenEveryRepublishWhileWanted() throws Exception {
        try (Renewals r = new Renewals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), Duration.ofMillis(150),
                Duration.ofMillis(10))) {
            Step step = new Step(ENOUGH);
            AtomicBoolean wanted = new AtomicBoolean(true);
            List<Stored> told = new CopyOnWriteArrayList<>();
            r.keep("announcing h", step, wanted::get, told::add).get(5, TimeUnit.SECONDS);
            Eventually.await("the first store, two while settling, two republished", Duration.ofSeconds(5),
                    () -> step.calls.size() >= 5);
            List<Long> at = List.copyOf(step.calls);
            assertTrue(ms(at.get(1) - at.get(0)) >= 100, "first settling store after 100 ms: " + ms(at.get(1) - at.get(0)));
            assertTrue(ms(at.get(2) - at.get(0)) >= 200, "second settling store 200 ms after the first store: " + ms(at.get(2) - at.get(0)));
            assertTrue(ms(at.get(3) - at.get(2)) >= 150, "then every 150 ms: " + ms(at.get(3) - at.get(2)));
            assertTrue(ms(at.get(4) - at.get(3)) >= 150, "then every 150 ms: " + ms(at.get(4) - at.get(3)));
            assertTrue(told.size() >= 5, "told of every store: " + told);

            wanted.set(false);
            Eventually.await("dropped at its next renewal", Duration.ofSeconds(5), () -> r.size() == 0);
            int stores = step.calls.size();
            Thread.sleep(400);
            assertEquals(stores, step.calls.size(), "no store once it is no longer wanted");
        }
    }

    @Test
    void aRecordNoNodeTookIsStoredAgainAfterAGrowingWaitUntilOneDoes() throws Exception {
        Stored none = new Stored(0, 0);
        Stored[] unreached = new Stored[3 * Renewals.TRIES];
        Arrays.fill(unreached, none);
        try (Renewals r = new Renewals(List.of(NEVER), NEVER, Duration.ofMillis(1), Duration.ofMillis(100),
                Duration.ofMillis(300))) {
            Step step = new Step(ENOUGH, unreached);
            List<Stored> told = new CopyOnWriteArrayList<>();
            assertEquals(none, r.keep("putting p", step, () -> true, told::add).get(5, TimeUnit.SECONDS));
            Eventually.await("stored again until a node took it, not at the next renewal", Duration.ofSeconds(5),
                    () -> told.contains(ENOUGH));
            assertEquals(List.of(none, none, none, ENOUGH), told);
            List<Long> at = List.copyOf(step.calls);
            long second = at.get(Renewals.TRIES) - at.get(Renewals.TRIES - 1);
            long third = at.get(2 * Renewals.TRIES) - at.get(2 * Renewals.TRIES - 1);
            long fourth = at.get(3 * Renewals.TRIES) - at.get(3 * Renewals.TRIES - 1);
            assertTrue(ms(second) >= 100, "first wait 100 ms: " + ms(second));
            assertTrue(ms(third) >= 200, "then twice as long: " + ms(third));
            assertTrue(ms(fourth) >= 300, "up to the cap: " + ms(fourth));
        }
    }

    @Test
    void aRecordNoNodeTookIsStoredAgainAsSoonAsTheRoutingTableGainsANode() throws Exception {
        Stored none = new Stored(0, 0);
        Stored[] unreached = new Stored[Renewals.TRIES];
        Arrays.fill(unreached, none);
        AtomicInteger table = new AtomicInteger();
        // the backoff's next store an hour away: any store that comes sooner is the table's growth's
        try (Renewals r = new Renewals(List.of(NEVER), NEVER, Duration.ofMillis(1), NEVER, NEVER,
                new TableWatch(table::get, Duration.ofMillis(10), Duration.ZERO))) {
            Step step = new Step(ENOUGH, unreached);
            List<Stored> told = new CopyOnWriteArrayList<>();
            assertEquals(none, r.keep("putting p", step, () -> true, told::add).get(5, TimeUnit.SECONDS));
            assertEquals(Renewals.TRIES, step.calls.size());
            table.set(1);
            Eventually.await("stored again once a node is known, not at the backoff's next turn", Duration.ofSeconds(5),
                    () -> told.contains(ENOUGH));
            assertEquals(List.of(none, ENOUGH), told);
        }
    }

    @Test
    void theTablesGrowthCallsForOneStorePerDoublingOfARecordThatReachedTooFew() throws Exception {
        AtomicInteger table = new AtomicInteger(1);
        try (Renewals r = new Renewals(List.of(NEVER), NEVER, Duration.ofMillis(1), NEVER, NEVER,
                new TableWatch(table::get, Duration.ofMillis(10), Duration.ZERO))) {
            Step few = new Step(new Stored(1, 1));
            Step closest = new Step(ENOUGH);
            r.keep("putting p", few, () -> true, s -> { }).get(5, TimeUnit.SECONDS);
            r.keep("putting q", closest, () -> true, s -> { }).get(5, TimeUnit.SECONDS);
            table.set(2);
            Eventually.await("stored again once the table doubled", Duration.ofSeconds(5), () -> few.calls.size() == 2);
            table.set(3);
            Thread.sleep(300);
            assertEquals(2, few.calls.size(), "not again before the table doubled again");
            table.set(4);
            Eventually.await("and again once it did", Duration.ofSeconds(5), () -> few.calls.size() == 3);
            table.set(100);
            Eventually.await("and again", Duration.ofSeconds(5), () -> few.calls.size() == 4);
            assertEquals(1, closest.calls.size(), "a record that reached the 8 closest waits for its turn");
        }
    }

    @Test
    void aRecordStoredJustBeforeTheTableGrewWaitsTheSpacingOut() throws Exception {
        AtomicInteger table = new AtomicInteger(1);
        try (Renewals r = new Renewals(List.of(NEVER), NEVER, Duration.ofMillis(1), NEVER, NEVER,
                new TableWatch(table::get, Duration.ofMillis(10), Duration.ofMillis(500)))) {
            Step few = new Step(new Stored(1, 1));
            r.keep("putting p", few, () -> true, s -> { }).get(5, TimeUnit.SECONDS);
            long stored = System.nanoTime();
            table.set(50);
            Eventually.await("stored again", Duration.ofSeconds(5), () -> few.calls.size() == 2);
            assertTrue(ms(few.calls.get(1) - stored) >= 450, "not within the spacing: " + ms(few.calls.get(1) - stored));
        }
    }

    @Test
    void aCoveredRecordSkipsItsRenewalsUntilItIsNoLonger() throws Exception {
        AtomicInteger table = new AtomicInteger();
        try (Renewals r = new Renewals(List.of(Duration.ofMillis(50)), Duration.ofMillis(50), Duration.ofMillis(1), NEVER,
                NEVER, new TableWatch(table::get, Duration.ofMillis(10), Duration.ZERO))) {
            Step step = new Step(new Stored(1, 1));
            AtomicBoolean covered = new AtomicBoolean(true);
            r.keep("announcing h", step, () -> true, covered::get, s -> { }).get(5, TimeUnit.SECONDS);
            table.set(20);
            Thread.sleep(400);
            assertEquals(1, step.calls.size(), "the first store only: renewals and the table's growth skipped while covered");
            covered.set(false);
            Eventually.await("renewed once no longer covered", Duration.ofSeconds(5), () -> step.calls.size() >= 3);
        }
    }

    @Test
    void aRecordKeptAlreadyIsStoredOnceMoreAndNotKeptTwice() throws Exception {
        try (Renewals r = new Renewals(List.of(Duration.ofMillis(100)), NEVER, Duration.ofMillis(10))) {
            Step step = new Step(ENOUGH);
            r.keep("announcing h", step, () -> true, s -> { }).get(5, TimeUnit.SECONDS);
            r.keep("announcing h", step, () -> true, s -> { }).get(5, TimeUnit.SECONDS);
            assertEquals(2, step.calls.size());
            assertEquals(1, r.size());
            Eventually.await("the settling store", Duration.ofSeconds(5), () -> step.calls.size() >= 3);
            Thread.sleep(300);
            assertEquals(3, step.calls.size(), "one settling store, not two");
        }
    }

    @Test
    void closingStopsEveryRenewal() throws Exception {
        Step step = new Step(ENOUGH);
        Renewals r = new Renewals(List.of(Duration.ofMillis(100)), Duration.ofMillis(100), Duration.ofMillis(10));
        r.keep("announcing h", step, () -> true, s -> { }).get(5, TimeUnit.SECONDS);
        r.close();
        Thread.sleep(300);
        assertEquals(1, step.calls.size());
        assertEquals(0, r.size());
        Step failing = new Step(FEW);
        assertEquals(FEW, r.keep("announcing g", failing, () -> true, s -> { }).get(5, TimeUnit.SECONDS),
                "a store after closing is tried once, and not again");
        assertEquals(1, failing.calls.size());
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
