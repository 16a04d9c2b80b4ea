package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The relay's "requests per resource per refresh period": the most requests one resource got
 * within any stretch of one period, wherever the stretch starts, not within fixed buckets counted
 * from an arbitrary instant, which a burst split by a bucket's edge passes at half its size.
 */
class RequestCountsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RequestCounts counts = new RequestCounts(now::get);

    private void at(double seconds, String resource) {
        now.set(1_000_000_000L + (long) (seconds * 1e9));
        counts.record("GET " + resource, resource);
    }

    @Test
    void aBurstAcrossWhatWouldBeABucketsEdgeCountsWhole() {
        counts.countPeriods(Duration.ofSeconds(10));
        for (double t : new double[] {9.0, 9.5, 9.9, 10.1, 10.5, 10.9}) {
            at(t, "/networkmap");
        }
        RequestCounts.PeriodPeak peak = counts.peakPerPeriod();
        assertEquals(6, peak.count(), "six requests within 1.9 s: " + peak);
        assertEquals("/networkmap", peak.resource());
    }

    @Test
    void requestsOnePeriodApartNeverShareAWindowAndOnesCloserDo() {
        counts.countPeriods(Duration.ofSeconds(10));
        for (int i = 0; i < 10; i++) {
            at(i * 10.0, "/a");
            at(i * 9.9, "/b");
        }
        assertEquals(2, counts.peakPerPeriod().count(), "/b's come 9.9 s apart: two in some 10 s");
        assertEquals("/b", counts.peakPerPeriod().resource());
        assertEquals(2, counts.distinctResources());
    }

    @Test
    void onlyWhatCameSinceCountingStartedIsCounted() {
        at(0.0, "/x");
        at(0.1, "/x");
        at(0.2, "/x");
        counts.countPeriods(Duration.ofSeconds(10));
        at(0.3, "/x");
        assertEquals(1, counts.peakPerPeriod().count());
        assertEquals(1, counts.distinctResources());
        assertEquals(4, counts.total(), "the totals count every request");
    }
}
