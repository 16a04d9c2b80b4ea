package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * {@link CachedCopies} and the store agree on what is held for a key, however a hold meets the
 * store letting go of a copy (an eviction or removal, whose listener runs without the entry's
 * lock) or a {@link CachedCopies#forget}: the store never keeps a copy no entry holds.
 */
class CachedCopiesTest {

    private static final CacheKey KEY = CacheKey.get("/costmap/x");

    private final RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(64L << 20);
    private final CachedCopies copies = new CachedCopies(store,
            new PullMetrics(new SimpleMeterRegistry(), store, Clock.fixed(EntryTest.T0, ZoneOffset.UTC)));

    /** Fails when the store holds a copy for {@code KEY} that the key's entry does not. */
    private void assertAgree() {
        Entry e = copies.get(KEY);
        CachedCopy h = e == null ? null : e.held();
        Representation stored = store.get(KEY);
        if (stored != null) {
            assertNotNull(h, "the store keeps a copy no entry holds");
            assertSame(h.base(), stored, "the store keeps another copy than the entry holds");
        }
    }

    /**
     * An attempt or an offer took the entry; the store let go of its copy (the listener takes out
     * the entry, which holds nothing now); then the hold came: it must not go to an entry nobody
     * finds.
     */
    @Test
    void aHoldIntoAnEntryTakenOutMeanwhileIsFound() {
        Entry e = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
        copies.hold(e, EntryTest.copy("{\"v\":1}"));
        store.remove(KEY);
        assertNull(copies.get(KEY));
        CachedCopy second = EntryTest.copy("{\"v\":2}");
        copies.hold(e, second);
        assertAgree();
        assertSame(second, copies.get(KEY).held());
    }

    /** As above, and a request made a new entry for the key meanwhile: the copy goes to that one. */
    @Test
    void aHoldIntoAnEntryReplacedMeanwhileGoesToTheNewOne() {
        Entry e = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
        copies.hold(e, EntryTest.copy("{\"v\":1}"));
        store.remove(KEY);
        Entry fresh = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
        CachedCopy second = EntryTest.copy("{\"v\":2}");
        copies.hold(e, second);
        assertAgree();
        assertSame(fresh, copies.get(KEY));
        assertSame(second, fresh.held());
    }

    /** An offer took the entry, the refresher forgot it, then the offer's hold came. */
    @Test
    void aHoldAfterTheEntryWasForgottenIsFound() {
        Entry e = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
        copies.hold(e, EntryTest.copy("{\"v\":1}"));
        copies.forget(e, e.held());
        assertNull(copies.get(KEY));
        assertNull(store.get(KEY));
        CachedCopy second = EntryTest.copy("{\"v\":2}");
        copies.hold(e, second);
        assertAgree();
        assertSame(second, copies.get(KEY).held());
    }

    /** Forgetting drops the copy from both, and takes out an entry that is not pinned. */
    @Test
    void forgettingDropsTheCopyEverywhere() {
        Entry e = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
        copies.hold(e, EntryTest.copy("{\"v\":1}"));
        copies.forget(e, e.held());
        assertNull(copies.get(KEY));
        assertNull(store.get(KEY));
        assertNull(e.held());
    }

    /**
     * A refresher pass read the entry's copy (expired and not asked for: to be forgotten); before
     * its {@link CachedCopies#forget} took the entry's lock, a newer copy was held (an offer, or
     * a fetch). The forget must drop only the copy the pass decided on: the newer one stays, in
     * the entry and in the store. Ordered by the entry's lock: this thread holds it while the pass
     * runs on another, until that one waits for it (so it has read the old copy), then holds the
     * newer copy and lets go.
     */
    @Test
    void aPassForgettingAnExpiredCopyKeepsOneHeldMeanwhile() throws Exception {
        Instant later = EntryTest.T0.plus(Duration.ofHours(2)); // the old copy expired, its entry idle for an hour
        Clock clock = Clock.fixed(later, ZoneOffset.UTC);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            Refresher refresher = new Refresher(new PullFeed.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                    Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofHours(1), List.of()), copies,
                    attempts(new FakeUpstream(clock), clock), clock, scheduler);
            Entry e = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
            copies.hold(e, EntryTest.copy("{\"v\":1}"));
            CachedCopy newer = copyFetchedAt("{\"v\":2}", later);
            Thread pass;
            synchronized (e) {
                pass = new Thread(() -> refresher.pass(e, later), "refresher-pass");
                pass.start();
                awaitBlockedOn(pass, e);
                assertSame(e, copies.hold(e, newer));
            }
            pass.join(10_000);
            assertAgree();
            assertSame(e, copies.get(KEY), "the entry holding the newer copy was taken out");
            assertSame(newer, e.held(), "the forget dropped the copy held after the pass read the entry");
            assertSame(newer.base(), store.get(KEY));
        } finally {
            scheduler.shutdownNow();
        }
    }

    /**
     * As above for the upstream's 404: an attempt's answer that the upstream has none of the
     * target (and no signed directory says otherwise) came while the entry held one copy; before
     * the copy was dropped, a newer one was offered. The 404 was about the copy before it: the
     * newer one stays, and the listeners are not told that the target is gone. Ordered the same
     * way: the answer is let go on another thread while this one holds the entry's lock.
     */
    @Test
    void aNotFoundAnswerDropsOnlyTheCopyHeldWhenItCame() throws Exception {
        Clock clock = Clock.fixed(EntryTest.T0, ZoneOffset.UTC);
        FakeUpstream upstream = new FakeUpstream(clock); // holds no document: answers 404
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.gate = gate;
        List<String> gone = new CopyOnWriteArrayList<>();
        copies.addGoneListener(gone::add);
        Entry e = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
        copies.hold(e, EntryTest.copy("{\"v\":1}"));
        CompletableFuture<FetchResult> attempt = attempts(upstream, clock).fetch(KEY, UpstreamCall.PLAIN_GET, "refresh");
        CachedCopy newer = EntryTest.copy("{\"v\":2}");
        Thread answer;
        synchronized (e) {
            answer = new Thread(() -> gate.complete(null), "upstream-answer"); // the attempt ends on this thread
            answer.start();
            awaitBlockedOn(answer, e);
            assertSame(e, copies.hold(e, newer));
        }
        answer.join(10_000);
        assertInstanceOf(FetchResult.Answer.class, attempt.get(10, TimeUnit.SECONDS));
        assertAgree();
        assertSame(newer, e.held(), "the 404 dropped the copy held after it came");
        assertSame(e, copies.get(KEY));
        assertEquals(List.of(), gone, "told that a target is gone whose newer copy is held");
    }

    /**
     * Two answers that the target is gone for one entry, the second after the first took it out
     * (a pass's revalidation and one set off by a new version, both asked before either came back):
     * the listeners (a push publisher telling its subscribers) are told once.
     */
    @Test
    void aSecondNotFoundAnswerForAnEntryTakenOutAlreadyTellsNobodyAgain() {
        List<String> gone = new CopyOnWriteArrayList<>();
        copies.addGoneListener(gone::add);
        Entry e = copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0);
        CachedCopy held = EntryTest.copy("{\"v\":1}");
        copies.hold(e, held);
        assertTrue(copies.gone(e, held));
        assertFalse(copies.gone(e, held), "the entry was taken out already");
        assertAgree();
        assertNull(copies.get(KEY));
        assertEquals(List.of(KEY.target()), gone, "told once that the target is gone");
    }

    /** The attempts of {@link #copies}, asking {@code upstream}, verifying with a key none of these tests signs with. */
    private Attempts attempts(FakeUpstream upstream, Clock clock) {
        PullMetrics metrics = new PullMetrics(new SimpleMeterRegistry(), store, clock);
        EntryFetch fetch = new EntryFetch(upstream, new Admission(
                new ResponseVerifier(List.of(new TestSigner().publicKey()), clock), "1.1 edge", clock),
                new Rejections(metrics), metrics, Runnable::run, "1.1 edge");
        return new Attempts(copies, fetch, metrics, clock, new RetryPause(java.time.Duration.ofSeconds(5), () -> 0),
                java.time.Duration.ofSeconds(1));
    }

    /** An unsigned copy (as {@link EntryTest#copy}) fetched at {@code at}, valid for a minute. */
    private static CachedCopy copyFetchedAt(String body, Instant at) {
        Variant v = new Variant(Bytes.utf8(body), null, List.of(new HeaderField("content-type", "application/json")));
        return CachedCopy.of(new CachedVariant(v, false, at, at.plusSeconds(60), at, 60, 0, 0, 0), null);
    }

    /** Waits (polled, with a deadline) until {@code t} is blocked entering {@code lock}'s monitor. */
    private static void awaitBlockedOn(Thread t, Object lock) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.getId());
            if (t.getState() == Thread.State.BLOCKED && info != null && info.getLockInfo() != null
                    && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(lock)) {
                return;
            }
            if (!t.isAlive()) {
                fail(t.getName() + " ended without waiting for the entry's lock");
            }
            Thread.sleep(1);
        }
        fail(t.getName() + " did not come to wait for the entry's lock");
    }

    /**
     * Rounds of a hold on this thread meeting one removal of the key's copy on another (as an
     * eviction, on whatever thread writes the store): the removal is let go a little before the
     * hold (by a lead that varies), so it lands anywhere in it. Once both are done, the entry and the store must hold the
     * same copy, or none. Bounded by a count of rounds and by time; a removal thread that stops
     * answering fails the test rather than hanging it.
     */
    @Test
    void holdsMeetingRemovalsLeaveTheEntryAndTheStoreAgreeing() throws Exception {
        AtomicLong asked = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread remover = new Thread(() -> {
            for (long seen = 0; !stop.get(); ) {
                if (asked.get() == seen) {
                    Thread.onSpinWait();
                    continue;
                }
                seen++;
                store.remove(KEY);
                done.set(seen);
            }
        }, "remover");
        remover.start();
        try {
            long end = System.nanoTime() + 3_000_000_000L;
            for (long round = 1; round <= 300_000 && System.nanoTime() < end; round++) {
                copies.hold(copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0), EntryTest.copy("{\"a\":" + round + "}"));
                asked.set(round);
                for (long spin = round % 97; spin > 0; spin--) {
                    Thread.onSpinWait(); // a different lead for the removal each round
                }
                copies.hold(copies.getOrAdd(KEY, UpstreamCall.PLAIN_GET, EntryTest.T0), EntryTest.copy("{\"b\":" + round + "}"));
                long waitUntil = System.nanoTime() + 10_000_000_000L;
                while (done.get() != round) {
                    if (System.nanoTime() > waitUntil) {
                        fail("the removal of round " + round + " did not end");
                    }
                    Thread.onSpinWait();
                }
                Entry e = copies.get(KEY);
                CachedCopy held = e == null ? null : e.held();
                Representation stored = store.get(KEY);
                if ((held == null ? null : held.base()) != stored) {
                    fail("round " + round + ": the entry holds " + (held == null ? "nothing" : "a copy")
                            + ", the store " + (stored == null ? "nothing" : held == null ? "a copy" : "another copy"));
                }
            }
        } finally {
            stop.set(true);
            remover.join();
        }
    }

    /**
     * Two threads hold copies of two keys into a store with room for one: each write evicts on the
     * writing thread, inside that thread's hold, the other key's copy (or its own). The store's
     * listener must take no entry's lock there: two holds evicting each other's copies would
     * deadlock. Both finish, and then each key's entry and the store agree.
     */
    @Test
    void holdsEvictingEachOthersCopiesNeverDeadlock() throws Exception {
        RepresentationStore<CacheKey> small = RepresentationStore.boundedBy(1_000);
        CachedCopies two = new CachedCopies(small,
                new PullMetrics(new SimpleMeterRegistry(), small, Clock.fixed(EntryTest.T0, ZoneOffset.UTC)));
        CacheKey other = CacheKey.get("/costmap/y");
        String body = "x".repeat(600);
        Thread[] holders = new Thread[2];
        for (int t = 0; t < 2; t++) {
            CacheKey key = t == 0 ? KEY : other;
            holders[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    two.hold(two.getOrAdd(key, UpstreamCall.PLAIN_GET, EntryTest.T0), EntryTest.copy(body));
                }
            }, "holder-" + t);
            holders[t].setDaemon(true); // left behind if they deadlock: the test fails with their stacks
            holders[t].start();
        }
        for (Thread h : holders) {
            h.join(30_000);
            if (h.isAlive()) {
                StringBuilder stacks = new StringBuilder();
                for (Thread x : holders) {
                    stacks.append('\n').append(x.getName()).append(": ");
                    for (StackTraceElement f : x.getStackTrace()) {
                        stacks.append("\n    at ").append(f);
                    }
                }
                fail("holds evicting each other's copies did not finish (deadlock?):" + stacks);
            }
        }
        for (CacheKey key : new CacheKey[] {KEY, other}) {
            Entry e = two.get(key);
            CachedCopy held = e == null ? null : e.held();
            assertSame(small.get(key), held == null ? null : held.base(), key + ": the entry and the store disagree");
        }
    }
}
