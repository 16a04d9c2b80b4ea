package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
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
        assertEquals(1, b.answering(), "b's oldest stream has its connection's turn, asking for the server's place");
        assertEquals(1, b.waiting(), "b's next stream asks once the one before it has its place");
        assertEquals(2, node.held());
        b1.giveBack(); // reset while waiting: b2 asks in its stead
        assertEquals(1, b.answering());
        assertEquals(0, b.waiting());
        assertEquals(2, node.held(), "a stream that left gave back no place it had not taken");
        a1.giveBack();
        assertEquals(List.of("a1", "a2", "b2"), started);
        a2.giveBack();
        b2.giveBack();
        assertEquals(0, node.held());
        assertEquals(0, a.answering() + b.answering());
    }

    /**
     * A connection that reads (each answer taken, its stream closed, before the next) beside one that asked 32 times
     * and reads nothing: the non-reader takes every ordinary place and waits for more, and the reader's streams are
     * all answered, one at a time, from the reserve, while the non-reader still holds its places. Before the
     * reserve, the reader's streams waited behind the non-reader's until the stall timeout closed it.
     */
    @Test
    void aReadingConnectionIsAnsweredWhileAnotherHoldsEveryOrdinaryPlace() {
        NodeAnswerPlaces node = new NodeAnswerPlaces(8); // 6 ordinary places, 2 kept for connections holding none
        AnswerTurns nonReader = new AnswerTurns(32, node, ImmediateEventExecutor.INSTANCE);
        AnswerTurns reader = new AnswerTurns(32, node, ImmediateEventExecutor.INSTANCE);
        int[] nonReaderStarted = new int[1];
        for (int i = 0; i < 32; i++) {
            nonReader.turn().await(() -> nonReaderStarted[0]++);
        }
        assertTrue(node.held() >= 6, "the non-reader's streams on every ordinary place: " + node.held());
        List<AnswerTurns.Turn> readerTurns = new ArrayList<>();
        List<Integer> answered = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            AnswerTurns.Turn t = reader.turn();
            readerTurns.add(t);
            t.await(() -> answered.add(n));
        }
        assertEquals(List.of(0), answered, "the reader's first stream, at once");
        for (int i = 0; i < 5; i++) {
            assertTrue(node.held() <= 8, "held: " + node.held());
            readerTurns.get(i).giveBack(); // its answer read and its stream closed: the next one starts
        }
        assertEquals(List.of(0, 1, 2, 3, 4), answered, "the reader's streams, in order, while the non-reader holds its places");
        assertEquals(6, nonReaderStarted[0], "the non-reader's streams answered: on the ordinary places");
        assertEquals(6, node.held());
    }

    /**
     * Two connections that each asked more than the server has places: as places come back, they go to the two by
     * turns, not to the one that asked first until it has had all its answers (as when every stream waited for a
     * place of its own, in the order it came).
     */
    @Test
    void placesGoRoundTheWaitingConnectionsByTurns() {
        NodeAnswerPlaces node = new NodeAnswerPlaces(2); // no reserve: a quarter of 2 is none
        AnswerTurns a = new AnswerTurns(32, node, ImmediateEventExecutor.INSTANCE);
        AnswerTurns b = new AnswerTurns(32, node, ImmediateEventExecutor.INSTANCE);
        List<String> started = new ArrayList<>();
        ArrayDeque<AnswerTurns.Turn> holding = new ArrayDeque<>();
        for (int i = 1; i <= 6; i++) {
            ask(a, "a" + i, started, holding);
        }
        for (int i = 1; i <= 6; i++) {
            ask(b, "b" + i, started, holding);
        }
        while (!holding.isEmpty()) {
            holding.poll().giveBack(); // the oldest answer sent
        }
        assertEquals(List.of("a1", "a2", "b1", "a3", "b2", "a4", "b3", "a5", "b4", "a6", "b5", "b6"), started);
        assertEquals(0, node.held());
    }

    private static void ask(AnswerTurns connection, String name, List<String> started, ArrayDeque<AnswerTurns.Turn> holding) {
        AnswerTurns.Turn t = connection.turn();
        t.await(() -> {
            started.add(name);
            holding.add(t);
        });
    }

    @Test
    void aTurnIsAskedForOnce() {
        AnswerTurns.Turn t = new AnswerTurns(1).turn();
        t.await(() -> { });
        assertThrows(IllegalStateException.class, () -> t.await(() -> { }));
    }
}
