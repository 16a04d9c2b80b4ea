package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** What the outage verdict counts as an error on a computed answer. */
class OutageTest {

    @Test
    void viewersUnfinishedAtTheDeadlineAreNotErrorsOnComputedAnswers() {
        // before, every error not on a signed step counted, so unfinished viewers (no step) did
        Map<String, Long> errors = Map.of("unfinished at the deadline", 5L, "http 503 @ json directory", 1L,
                "timeout @ xml prop-pid", 2L, "http 500 @ xml cost-row", 3L, "connection closed @ json filtered-cost-map", 4L);
        assertEquals(7, Outage.computedErrors(errors));
        assertEquals(0, Outage.computedErrors(Map.of("unfinished at the deadline", 5L)));
    }
}
