package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import io.netty.util.concurrent.ImmediateEventExecutor;

import org.junit.jupiter.api.Test;

/** The turns of one HTTP/2 connection's streams: how many are answered at once, in which order the others start, within the server's places. */
class AnswerTurnsTest {

    @Test
    void streamsPastTheBoundWaitAndStartInOrderAsPlacesAreGivenBack() {
        AnswerTurns turns = new AnswerTurns(2);
        List<Integer> started = new ArrayList<>();
        List<AnswerTurns.Turn> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            AnswerTurns.Turn t = turns.turn();
            all.add(t);
            t.await(() -> started.add(n));
        }
        assertEquals(List.of(0, 1), started);
        assertEquals(2, turns.answering());
        assertEquals(3, turns.waiting());
        all.get(3).giveBack(); // reset while waiting: never started
        all.get(0).giveBack();
        assertEquals(List.of(0, 1, 2), started);
        all.get(0).giveBack(); // again: nothing more given back
        assertEquals(2, turns.answering());
        all.get(1).giveBack();
        assertEquals(List.of(0, 1, 2, 4), started);
        assertEquals(0, turns.waiting());
    }

    /** A stream answered and closed within its start (a lookup, sent at once) hands its place on without recursing. */
    @Test
    void aStartThatEndsItsStreamAtOnceHandsItsPlaceOnInALoop() {
        AnswerTurns turns = new AnswerTurns(1);
        AnswerTurns.Turn blocker = turns.turn();
        blocker.await(() -> { });
        int streams = 100_000; // deep enough to overflow the stack if each start nested the next
        int[] started = new int[1];
        for (int i = 0; i < streams; i++) {
            AnswerTurns.Turn t = turns.turn();
            t.await(() -> {
                started[0]++;
                t.giveBack();
            });
        }
        assertEquals(0, started[0]);
        blocker.giveBack();
        assertEquals(streams, started[0]);
        assertEquals(0, turns.answering());
        assertEquals(0, turns.waiting());
    }

    /**
     * Two connections sharing the server's places: a stream whose connection has turns free waits when the server has
     * none, in the order it came, and one reset while it waits gives back its connection's turn and no server place.
     */
    @Test
    void aStreamWithItsConnectionsTurnWaitsForAPlaceOfTheServer() {
        NodeAnswerPlaces node = new NodeAnswerPlaces(2);
        AnswerTurns a = new AnswerTurns(32, node, ImmediateEventExecutor.INSTANCE);
        AnswerTurns b = new AnswerTurns(32, node, ImmediateEventExecutor.INSTANCE);
        List<String> started = new ArrayList<>();
        AnswerTurns.Turn a1 = a.turn();
        a1.await(() -> started.add("a1"));
        AnswerTurns.Turn a2 = a.turn();
        a2.await(() -> started.add("a2"));
        AnswerTurns.Turn b1 = b.turn();
        b1.await(() -> started.add("b1"));
        AnswerTurns.Turn b2 = b.turn();
        b2.await(() -> started.add("b2"));
        assertEquals(List.of("a1", "a2"), started, "the server's two places taken: b's streams wait");
        assertEquals(2, b.answering(), "b's streams have their connection's turns, waiting for the server's places");
        assertEquals(2, node.held());
        b1.giveBack(); // reset while waiting
        assertEquals(1, b.answering());
        assertEquals(2, node.held(), "a stream that left gave back no place it had not taken");
        a1.giveBack();
        assertEquals(List.of("a1", "a2", "b2"), started);
        a2.giveBack();
        b2.giveBack();
        assertEquals(0, node.held());
        assertEquals(0, a.answering() + b.answering());
    }

    @Test
    void aTurnIsAskedForOnce() {
        AnswerTurns.Turn t = new AnswerTurns(1).turn();
        t.await(() -> { });
        assertThrows(IllegalStateException.class, () -> t.await(() -> { }));
    }
}
