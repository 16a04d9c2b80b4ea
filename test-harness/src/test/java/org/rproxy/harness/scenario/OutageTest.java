package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;

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

    /**
     * The outage is scheduled before the crowd's set-up and the run's clock starts after it: with
     * 2.5 s of set-up, an outage at 10 to 20 s from scheduling is at 7.5 to 17.5 s of the run, and
     * errors at 7.5 to 8 s are in it. Read at 10 to 20 s of the run, they were not.
     */
    @Test
    void errorsWhileDownAreCountedInTheRunsOwnTime() {
        List<RunReport.Sample> series = new ArrayList<>();
        for (int t = 1; t <= 25; t++) {
            // 5 errors between 7.5 s and 8 s of the run, none after
            series.add(new RunReport.Sample(t, t * 10, t * 10, 100, t >= 8 ? 5 : 0, 1, 2, 3));
        }
        long read = 1_000_000_000_000L;
        double setup = 2.5;
        long down = read + 10_000_000_000L;
        long up = read + 20_000_000_000L;
        assertEquals(5, Outage.errorsDuring(series, setup, read, down, up));
        assertEquals(0, Outage.errorsBetween(series, 10, 20), "the old reading, at a third and two thirds of the run");
        assertEquals(0, Outage.errorsDuring(series, setup, read, 0, 0), "no outage yet, no error during it");
    }
}
