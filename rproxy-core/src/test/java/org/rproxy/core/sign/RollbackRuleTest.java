package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** An older signing is refused as a rollback only while the newest one taken is valid. */
class RollbackRuleTest {

    private static final Instant CREATED = Instant.parse("2026-06-01T12:00:00Z");
    private static final Instant EXPIRES = CREATED.plusSeconds(3600);

    @Test
    void anOlderSigningIsRefusedWhileTheHeldOneIsValid() {
        Instant justBefore = EXPIRES.minusSeconds(1);
        assertTrue(RollbackRule.refuses(CREATED.minusSeconds(1), CREATED, EXPIRES, justBefore));
        assertEquals(CREATED, RollbackRule.floor(CREATED, EXPIRES, justBefore));
    }

    @Test
    void nothingIsRefusedOnceTheHeldOneHasExpired() {
        assertFalse(RollbackRule.refuses(CREATED.minusSeconds(1), CREATED, EXPIRES, EXPIRES), "expired at its expires");
        assertNull(RollbackRule.floor(CREATED, EXPIRES, EXPIRES));
    }

    @Test
    void theSameOrANewerSigningIsNeverRefused() {
        assertFalse(RollbackRule.refuses(CREATED, CREATED, EXPIRES, CREATED));
        assertFalse(RollbackRule.refuses(CREATED.plusSeconds(1), CREATED, EXPIRES, CREATED));
    }
}
