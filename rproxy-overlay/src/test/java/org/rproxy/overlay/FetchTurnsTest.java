package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

/** {@link FetchTurns}, with its starts run at once and its turn's end run when the test says. */
class FetchTurnsTest {
    private final List<String> started = new ArrayList<>();
    private final List<Runnable> due = new ArrayList<>();
    private final Executor now = Runnable::run;
    private final FetchTurns turns = new FetchTurns(now, due::add);

    private FetchTurns.Turn take(String name) {
        FetchTurns.Turn t = turns.turn();
        turns.take(t, () -> started.add(name));
        return t;
    }

    /** The turn of every fetch started so far ends (as {@link FetchTurns#TURN} passing would have it). */
    private void turnsPass() {
        List<Runnable> run = List.copyOf(due);
        due.clear();
        run.forEach(Runnable::run);
    }

    @Test
    void fetchesStartOneAtATimeInTheOrderAsked() {
        FetchTurns.Turn a = take("a");
        FetchTurns.Turn b = take("b");
        take("c");
        assertEquals(List.of("a"), started);
        a.end();
        assertEquals(List.of("a", "b"), started);
        b.end();
        assertEquals(List.of("a", "b", "c"), started);
    }

    @Test
    void aFetchThatEndedWhileWaitingNeverStarts() {
        FetchTurns.Turn a = take("a");
        FetchTurns.Turn b = take("b");
        take("c");
        b.end();
        a.end();
        assertEquals(List.of("a", "c"), started);
    }

    @Test
    void aFetchThatEndedBeforeAskingNeverStarts() {
        FetchTurns.Turn a = turns.turn();
        a.end();
        turns.take(a, () -> started.add("a"));
        take("b");
        assertEquals(List.of("b"), started);
    }

    @Test
    void aFetchWithoutItsMetadataWithinItsTurnLetsTheNextStartBesideIt() {
        FetchTurns.Turn a = take("a");
        take("b");
        turnsPass();
        assertEquals(List.of("a", "b"), started);
        // a's end gives nothing away: b has the turn
        take("c");
        a.end();
        assertEquals(List.of("a", "b"), started);
    }

    @Test
    void aFetchWithItsMetadataKeepsItsTurnUntilItEnds() {
        FetchTurns.Turn a = take("a");
        take("b");
        a.metadata();
        turnsPass();
        assertEquals(List.of("a"), started);
        a.end();
        assertEquals(List.of("a", "b"), started);
    }

    @Test
    void aFetchPassedOverThatHasItsMetadataLateReceivesOnlyOnceTheOneReceivingEnded() {
        FetchTurns.Turn a = take("a");
        FetchTurns.Turn b = take("b");
        turnsPass();
        assertEquals(List.of("a", "b"), started);
        b.metadata();
        a.metadata();
        assertTrue(b.mayReceive(), "the first with its metadata receives");
        assertFalse(a.mayReceive(), "a's blocks would share bt's registry with b's");
        b.end();
        assertTrue(a.mayReceive());
    }

    @Test
    void noFetchReceivesBeforeItsMetadataNorAfterItsEnd() {
        FetchTurns.Turn a = take("a");
        FetchTurns.Turn b = take("b");
        turnsPass();
        assertFalse(a.mayReceive());
        a.metadata();
        b.metadata();
        a.end();
        assertFalse(a.mayReceive());
        assertTrue(b.mayReceive());
        FetchTurns.Turn c = take("c");
        c.end();
        c.metadata();
        b.end();
        assertFalse(c.mayReceive(), "an ended fetch never receives");
        FetchTurns.Turn d = take("d");
        d.metadata();
        assertTrue(d.mayReceive());
    }

    @Test
    void aFetchWaitingToReceiveThatEndsGivesNothingAway() {
        FetchTurns.Turn a = take("a");
        FetchTurns.Turn b = take("b");
        turnsPass();
        FetchTurns.Turn c = take("c");
        turnsPass();
        a.metadata();
        b.metadata();
        c.metadata();
        b.end();
        assertTrue(a.mayReceive());
        a.end();
        assertTrue(c.mayReceive());
    }
}
