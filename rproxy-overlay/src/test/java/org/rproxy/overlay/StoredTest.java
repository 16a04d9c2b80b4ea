package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoredTest {

    @Test
    void enoughWhenAtLeastHalfOfTheClosestTookIt() {
        assertTrue(new Stored(4, 8).enough());
        assertTrue(new Stored(8, 8).enough());
        assertTrue(new Stored(2, 3).enough());
        assertFalse(new Stored(3, 8).enough());
        assertFalse(new Stored(1, 3).enough());
    }

    @Test
    void noneIsNeverEnoughEvenWithNoNodeToAsk() {
        assertFalse(new Stored(0, 0).enough());
    }

    @Test
    void negativeCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Stored(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> new Stored(1, -8));
        assertThrows(IllegalArgumentException.class, () -> new Stored(0, 8, -2));
    }

    @Test
    void supersededOnlyWhenTheNodesHoldANewerVersion() {
        assertFalse(new Stored(0, 8).superseded());
        assertTrue(new Stored(0, 8, 0).superseded());
        assertTrue(new Stored(3, 8, 1_700_000_000L).superseded());
    }
}
