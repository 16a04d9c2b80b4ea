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

    /** Streams of many event loops taking and giving back places at once: never more than the bound, none lost, every one started. */
    @Test
    void manyLoopsTogetherNeverPassTheBoundAndLoseNoPlace() throws Exception {
        int loops = 4;
        int perLoop = 5_000;
        NodeAnswerPlaces places = new NodeAnswerPlaces(3);
        EventExecutorGroup group = new DefaultEventExecutorGroup(loops);
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
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
                        p.await(() -> {
                            most.accumulateAndGet(inUse.incrementAndGet(), Math::max);
                            loop.execute(() -> { // the answer sent later, in another task of the loop
                                inUse.decrementAndGet();
                                p.giveBack();
                                done.countDown();
                            });
                        });
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
            assertTrue(most.get() <= 3, "answers at once: " + most.get());
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
