package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class NodeSendBudgetTest {

    @Test
    void aPartIsSentOnlyWhileFewerThanTheBoundArePending() {
        NodeSendBudget budget = new NodeSendBudget(100);
        assertTrue(budget.hasRoom());
        budget.sent(99);
        assertTrue(budget.hasRoom(), "below the bound: one more part may go, passing it by at most that part");
        budget.sent(64);
        assertFalse(budget.hasRoom());
        assertEquals(163, budget.pending());
        budget.written(64);
        assertTrue(budget.hasRoom());
    }

    @Test
    void everyWaiterIsWokenOnceWhenThePendingBytesDrainToHalfTheBound() {
        NodeSendBudget budget = new NodeSendBudget(100);
        budget.sent(120);
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        budget.await(first::incrementAndGet);
        budget.await(second::incrementAndGet);
        assertEquals(2, budget.deferred());
        budget.written(60); // 60 left: under the bound, above half
        assertEquals(0, first.get() + second.get(), "not before half the bound");
        budget.written(10); // 50 left: half
        assertEquals(1, first.get());
        assertEquals(1, second.get());
        budget.written(50);
        assertEquals(1, first.get(), "a wake is run once per wait");
    }

    @Test
    void aWaitThatFindsTheBytesDrainedAlreadyIsWokenAtOnce() {
        NodeSendBudget budget = new NodeSendBudget(100);
        budget.sent(40); // the drain that brought it here came before the wait
        AtomicInteger woken = new AtomicInteger();
        budget.await(woken::incrementAndGet);
        assertEquals(1, woken.get());
    }

    @Test
    void aBoundBelowOneByteIsRefused() {
        assertEquals("max: 0 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> new NodeSendBudget(0)).getMessage());
    }
}
