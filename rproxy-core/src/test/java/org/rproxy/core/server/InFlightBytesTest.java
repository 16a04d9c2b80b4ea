package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link InFlightBytes}: every time the sink goes unwritable, a writable callback follows once it
 * drained, however a send from the publisher's thread falls among the event loop's steps. The
 * step given makes that send right after the loop's subtraction (nothing of ours runs between
 * the loop's steps, so another thread could be placed there only by a delay).
 */
class InFlightBytesTest {

    private static final long WINDOW = 256;
    private static final long BIG = 300; // one send of this makes the sink unwritable

    /** Runs a send once, when the drainer has subtracted (its first step). */
    private static final class Step implements Runnable {
        private Runnable send;

        void onNextDrain(Runnable r) {
            send = r;
        }

        @Override
        public void run() {
            Runnable r = send;
            send = null;
            if (r != null) {
                r.run();
            }
        }
    }

    @Test
    void oneSendMakesItUnwritableAndTheDrainSignalsOnce() {
        InFlightBytes in = new InFlightBytes(WINDOW);
        in.add(BIG);
        assertFalse(in.belowWindow());
        assertTrue(in.drained(BIG));
        assertTrue(in.belowWindow());
        in.add(10);
        assertFalse(in.drained(10), "a write within the window signals nothing");
    }

    @Test
    void theSignalWaitsForHalfAWindow() {
        InFlightBytes in = new InFlightBytes(WINDOW);
        in.add(BIG);
        assertFalse(in.drained(BIG - WINDOW / 2), "half a window still in flight");
        assertTrue(in.drained(WINDOW / 2));
    }

    /**
     * The race a review found: the loop drains the first episode and reads the flag still set from
     * it; the publisher's send makes the sink unwritable again and sets the flag; the loop clears it
     * and signals once for both. That signal's pump finds no room, and the second episode's drain
     * signalled nothing, so nothing pumped the subscriber until the next update anywhere.
     */
    @Test
    void aSendLandingAsTheLoopEndsTheLastEpisodeGetsItsOwnSignal() {
        Step step = new Step();
        InFlightBytes in = new InFlightBytes(WINDOW, step);
        in.add(BIG);
        step.onNextDrain(() -> in.add(BIG));
        boolean first = in.drained(BIG);
        assertEquals(BIG, in.get());
        assertFalse(first && !in.belowWindow(), "a signal while the window is full again is lost on the subscriber");
        assertTrue(in.drained(BIG), "the second unwritable episode drained without a writable signal");
        assertEquals(0, in.get());
    }

    /** A small send landing there leaves room: the signal goes at once, as without it. */
    @Test
    void aSmallSendLandingAsTheLoopEndsTheEpisodeLeavesTheSignal() {
        Step step = new Step();
        InFlightBytes in = new InFlightBytes(WINDOW, step);
        in.add(BIG);
        step.onNextDrain(() -> in.add(10));
        assertTrue(in.drained(BIG));
        assertTrue(in.belowWindow());
        assertFalse(in.drained(10));
    }
}
