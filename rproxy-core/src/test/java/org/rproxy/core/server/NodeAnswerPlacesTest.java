package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;

import org.junit.jupiter.api.Test;

/** The places of a server's answers, shared by every connection and event loop. */
class NodeAnswerPlacesTest {

    private static final EventExecutor NOW = ImmediateEventExecutor.INSTANCE;

    @Test
    void pastTheBoundAStreamWaitsAndStartsInArrivalOrderAsPlacesAreGivenBack() {
        NodeAnswerPlaces places = new NodeAnswerPlaces(2);
        List<Integer> started = new ArrayList<>();
        List<NodeAnswerPlaces.Place> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            NodeAnswerPlaces.Place p = places.place(NOW);
            all.add(p);
            p.await(() -> started.add(n));
        }
        assertEquals(List.of(0, 1), started);
        assertEquals(2, places.held());
        assertEquals(3, places.waits());
        all.get(1).giveBack();
        assertEquals(List.of(0, 1, 2), started);
        all.get(1).giveBack(); // again: nothing more given back
        assertEquals(2, places.held());
        all.get(0).giveBack();
        all.get(2).giveBack();
        assertEquals(List.of(0, 1, 2, 3, 4), started);
        all.get(3).giveBack();
        all.get(4).giveBack();
        assertEquals(0, places.held());
    }

    /** A stream reset, or its connection closed, while it waits never held a place: it gives none back, and the next waiter gets the place. */
    @Test
    void aWaiterThatGoesAwayGivesNothingBackAndIsSkipped() {
        NodeAnswerPlaces places = new NodeAnswerPlaces(1);
        List<String> started = new ArrayList<>();
        NodeAnswerPlaces.Place holder = places.place(NOW);
        holder.await(() -> started.add("holder"));
        NodeAnswerPlaces.Place gone = places.place(NOW);
        gone.await(() -> started.add("gone"));
        NodeAnswerPlaces.Place next = places.place(NOW);
        next.await(() -> started.add("next"));
        gone.giveBack();
        assertEquals(1, places.held(), "a waiter that left gave back no place it had not taken");
        gone.giveBack();
        assertEquals(1, places.held());
        holder.giveBack();
        assertEquals(List.of("holder", "next"), started);
        assertEquals(1, places.held());
        next.giveBack();
        assertEquals(0, places.held());
    }

    /** A place handed to a waiter whose stream closes before its loop runs the start is given back, the start never run. */
    @Test
    void aPlaceHandedOnToAStreamGoneBeforeItsStartRunsIsGivenBack() throws Exception {
        NodeAnswerPlaces places = new NodeAnswerPlaces(1);
        EventExecutorGroup group = new DefaultEventExecutorGroup(1);
        try {
            EventExecutor loop = group.next();
            AtomicInteger started = new AtomicInteger();
            int heldMeanwhile = loop.submit(() -> {
                NodeAnswerPlaces.Place holder = places.place(loop);
                holder.await(() -> { });
                NodeAnswerPlaces.Place late = places.place(loop);
                late.await(started::incrementAndGet);
                holder.giveBack(); // hands the place to late, whose start is queued on its loop, behind this task
                int held = places.held();
                late.giveBack(); // its stream closes before its loop ran the start
                return held;
            }).get(10, TimeUnit.SECONDS);
            assertEquals(1, heldMeanwhile, "the place handed on");
            loop.submit(() -> { }).get(10, TimeUnit.SECONDS); // the queued start has run by now
            assertEquals(0, started.get(), "the start of a stream gone ran");
            assertEquals(0, places.held());
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * The last quarter of the places goes only to a connection's first: past the ordinary places an ordinary stream
     * waits while a first one starts, and a place given back goes to a waiting first before an older ordinary waiter.
     */
    @Test
    void theReserveGoesOnlyToAConnectionsFirstPlaceAndFirstsAreHandedPlacesFirst() {
        NodeAnswerPlaces places = new NodeAnswerPlaces(8);
        assertEquals(2, places.reserve());
        List<String> started = new ArrayList<>();
        List<NodeAnswerPlaces.Place> ordinary = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            int n = i;
            NodeAnswerPlaces.Place p = places.place(NOW);
            ordinary.add(p);
            p.await(() -> started.add("o" + n));
        }
        assertEquals(List.of("o0", "o1", "o2", "o3", "o4", "o5"), started, "o6 waits: the ordinary places are taken");
        NodeAnswerPlaces.Place f0 = places.place(NOW);
        f0.awaitFirst(() -> started.add("f0"));
        NodeAnswerPlaces.Place f1 = places.place(NOW);
        f1.awaitFirst(() -> started.add("f1"));
        NodeAnswerPlaces.Place f2 = places.place(NOW);
        f2.awaitFirst(() -> started.add("f2"));
        assertEquals(List.of("o0", "o1", "o2", "o3", "o4", "o5", "f0", "f1"), started, "f2 waits: every place is taken");
        assertEquals(8, places.held());
        assertEquals(2, places.waits());
        ordinary.get(0).giveBack();
        assertEquals("f2", started.get(started.size() - 1), "the place given back went to the first, not to the older o6");
        f0.giveBack();
        f1.giveBack();
        assertEquals(6, places.held(), "o6 waits on: the places free are the reserve's");
        ordinary.get(1).giveBack();
        assertEquals("o6", started.get(started.size() - 1));
        assertEquals(6, places.held());
        f2.giveBack();
        ordinary.forEach(NodeAnswerPlaces.Place::giveBack);
        assertEquals(0, places.held());
    }

    /**
     * A stream waiting for an ordinary place whose connection comes to hold none (its other streams closed) waits
     * for a first place instead, in the same wait; once handed a place it stays as it is.
     */
    @Test
    void aWaiterWhoseConnectionComesToHoldNoneWaitsForAFirstPlaceInTheSameWait() {
        NodeAnswerPlaces places = new NodeAnswerPlaces(4); // 3 ordinary, 1 reserve
        List<NodeAnswerPlaces.Place> holders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NodeAnswerPlaces.Place p = places.place(NOW);
            holders.add(p);
            p.awaitFirst(() -> { });
        }
        List<String> started = new ArrayList<>();
        NodeAnswerPlaces.Place older = places.place(NOW);
        older.await(() -> started.add("older"));
        NodeAnswerPlaces.Place waiter = places.place(NOW);
        waiter.await(() -> started.add("waiter"));
        NodeAnswerPlaces.Place moved = waiter.asFirst();
        assertTrue(moved != waiter, "a new place, waiting among the firsts");
        assertEquals(2, places.waits(), "still one wait for the stream moved");
        assertEquals(4, places.held());
        holders.get(0).giveBack();
        assertEquals(List.of("waiter"), started, "the place went to the first, past the older ordinary waiter");
        waiter.giveBack(); // the place it left: nothing to give back
        assertEquals(4, places.held());
        assertEquals(moved, moved.asFirst(), "handed a place already: it stays");
        moved.giveBack();
        holders.forEach(NodeAnswerPlaces.Place::giveBack);
        older.giveBack();
        assertEquals(0, places.held());
    }

    /**
     * Streams of many event loops taking and giving back places at once, a third of them as their connection's first:
     * never more than the bound, the ordinary ones never into the reserve, none lost, every one started.
     */
    @Test
    void manyLoopsTogetherNeverPassTheBoundAndLoseNoPlace() throws Exception {
        int loops = 4;
        int perLoop = 5_000;
        NodeAnswerPlaces places = new NodeAnswerPlaces(8); // 6 ordinary, 2 kept for firsts
        EventExecutorGroup group = new DefaultEventExecutorGroup(loops);
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger ordinaryInUse = new AtomicInteger();
        AtomicInteger mostOrdinary = new AtomicInteger();
        int leaving = (perLoop + 6) / 7;
        CountDownLatch done = new CountDownLatch(loops * (perLoop - leaving));
        try {
            for (int l = 0; l < loops; l++) {
                EventExecutor loop = group.next();
                loop.execute(() -> {
                    for (int i = 0; i < perLoop; i++) {
                        NodeAnswerPlaces.Place p = places.place(loop);
                        if (i % 7 == 0) { // some streams reset while they wait, or as soon as they start
                            p.await(() -> { });
                            p.giveBack();
                            continue;
                        }
                        boolean first = i % 3 == 0;
                        Runnable start = () -> {
                            most.accumulateAndGet(inUse.incrementAndGet(), Math::max);
                            if (!first) {
                                mostOrdinary.accumulateAndGet(ordinaryInUse.incrementAndGet(), Math::max);
                            }
                            loop.execute(() -> { // the answer sent later, in another task of the loop
                                inUse.decrementAndGet();
                                if (!first) {
                                    ordinaryInUse.decrementAndGet();
                                }
                                p.giveBack();
                                done.countDown();
                            });
                        };
                        if (first) {
                            p.awaitFirst(start);
                        } else {
                            p.await(start);
                        }
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "streams left: " + done.getCount());
            // a start may still be on its way for a stream that left: wait for the places to come back
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (places.held() != 0 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertEquals(0, places.held());
            assertTrue(most.get() <= 8, "answers at once: " + most.get());
            assertTrue(mostOrdinary.get() <= 6, "answers at once on ordinary places: " + mostOrdinary.get());
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aPlaceIsAskedForOnceAndTheBoundIsAtLeastOne() {
        NodeAnswerPlaces.Place p = new NodeAnswerPlaces(1).place(NOW);
        p.await(() -> { });
        assertThrows(IllegalStateException.class, () -> p.await(() -> { }));
        assertEquals("max: 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class, () -> new NodeAnswerPlaces(0))
                .getMessage());
    }
}
