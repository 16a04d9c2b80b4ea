package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DeletionHoldTest {

    private static final long S = 1_000_000_000L;
    private final DeletionHold hold = new DeletionHold(Set.of("net.json", "costs.json"), Duration.ofSeconds(30));

    @Test
    void aChangeWithEveryServedFilePresentIsLoadedAtOnce() {
        DeletionHold.Decision d = hold.check(Set.of("net.json", "costs.json", "new.json"), 0);
        assertTrue(d.reload());
        assertEquals(List.of(), d.gone());
    }

    @Test
    void aDeletedFileIsHeldUntilTheSettlePeriodEnds() {
        DeletionHold.Decision first = hold.check(Set.of("net.json"), 100 * S);
        assertFalse(first.reload());
        assertEquals(List.of("costs.json"), first.gone());
        assertEquals(30 * S, first.waitNanos());

        DeletionHold.Decision again = hold.check(Set.of("net.json"), 110 * S);
        assertFalse(again.reload(), "an unrelated change within the period does not publish the deletion");
        assertEquals(List.of(), again.gone(), "logged once");
        assertEquals(20 * S, again.waitNanos());

        DeletionHold.Decision settled = hold.check(Set.of("net.json"), 130 * S);
        assertTrue(settled.reload());
        assertEquals(List.of("costs.json"), settled.dropped());
    }

    @Test
    void aFileCopiedBackWithinThePeriodIsNeverDropped() {
        hold.check(Set.of("net.json"), 0);
        DeletionHold.Decision back = hold.check(Set.of("net.json", "costs.json"), 2 * S);
        assertTrue(back.reload());
        assertEquals(List.of("costs.json"), back.back());
        assertEquals(List.of(), back.dropped());
        assertFalse(hold.holding());
    }

    @Test
    void aLoadMakesThePresentFilesTheServedOnes() {
        hold.loaded(Set.of("net.json"));
        assertTrue(hold.check(Set.of("net.json"), 0).reload(), "costs.json is no longer served: its absence is no deletion");
    }

    @Test
    void aRefusedLoadReleasesTheHold() {
        hold.check(Set.of("net.json"), 0);
        hold.refused();
        assertFalse(hold.holding());
        DeletionHold.Decision d = hold.check(Set.of("net.json"), 40 * S);
        assertFalse(d.reload(), "still missing at the next change: held again from then");
        assertEquals(List.of("costs.json"), d.gone());
    }

    @Test
    void aDeletionIsActedOnAtOnceWithAZeroPeriod() {
        DeletionHold now = new DeletionHold(Set.of("a.json"), Duration.ZERO);
        DeletionHold.Decision d = now.check(Set.of(), 5);
        assertTrue(d.reload());
        assertEquals(List.of("a.json"), d.dropped());
    }

    @Test
    void aNegativePeriodIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DeletionHold(Set.of(), Duration.ofSeconds(-1)));
    }
}
