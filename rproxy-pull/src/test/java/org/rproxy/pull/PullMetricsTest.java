package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;

/**
 * The per-target expiry and signing-time gauges: one per held target, gone when it is no longer held, whatever the
 * threads; and what the meters show before anything happened, and what their help says.
 */
class PullMetricsTest {
    final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PullMetrics metrics = new PullMetrics(registry, RepresentationStore.boundedBy(1 << 20), clock);

    /** Shows {@code target} holding a signed copy created and expiring so. */
    private void held(String target, Instant created, Instant expires) {
        Variant v = new Variant(Bytes.utf8("{}"), null, List.of(new HeaderField("content-type", "application/json")));
        CachedCopy h = CachedCopy.of(new CachedVariant(v, true, created, expires, created, 60, 0, 0, 0), null);
        metrics.show(target, () -> h);
    }

    private int gauges() {
        return registry.find("rproxy.resource.expires").gauges().size();
    }

    private int createdGauges() {
        return registry.find("rproxy.resource.created.time").gauges().size();
    }

    @Test
    void aTargetHasOneGaugeWhileHeldAndNoneAfter() {
        Instant created = clock.instant().minusSeconds(30);
        held("/a", created.minusSeconds(60), clock.instant().plus(Duration.ofMinutes(5)));
        held("/a", created, clock.instant().plus(Duration.ofMinutes(10)));
        assertEquals(1, gauges());
        assertEquals(600.0, registry.find("rproxy.resource.expires").tag("target", "/a").gauge().value());
        metrics.show("/a", () -> null);
        metrics.show("/a", () -> null);
        assertEquals(0, gauges());
        assertEquals(0, createdGauges());
    }

    /**
     * "Is my edge fresh?": the signing time of the version held, which the origin shows for the
     * version it serves, so that the difference is how far this node lags behind it.
     */
    @Test
    void aHeldTargetShowsTheCreatedTimeOfItsVersion() {
        Instant created = Instant.parse("2025-06-01T11:59:30Z");
        held("/a", created.minusSeconds(60), clock.instant().plusSeconds(300));
        held("/a", created, clock.instant().plusSeconds(600));
        assertEquals(1, createdGauges(), "one row per target");
        assertEquals(created.getEpochSecond(),
                registry.find("rproxy.resource.created.time").tag("target", "/a").gauge().value(), "the newest held");
        assertEquals("seconds", registry.find("rproxy.resource.created.time").gauge().getId().getBaseUnit());
    }

    /**
     * A target's rows show its copy's times from the moment they exist: registered first and set
     * after, a scrape in between read 0 for both, a signing time of 1970 (a lag of decades to the
     * origin's row) and an expiry now, as the listener told of each new meter sees it here.
     */
    @Test
    void aTargetsRowsShowItsTimesFromTheMomentTheyAreRegistered() {
        Map<String, Double> atRegistration = new ConcurrentHashMap<>();
        registry.config().onMeterAdded(m -> {
            if (m instanceof Gauge g && m.getId().getName().startsWith("rproxy.resource.")) {
                atRegistration.put(m.getId().getName(), g.value());
            }
        });
        Instant created = Instant.parse("2025-06-01T11:59:30Z");
        held("/a", created, clock.instant().plusSeconds(600));
        assertEquals(Map.of("rproxy.resource.expires", 600.0, "rproxy.resource.created.time", (double) created.getEpochSecond()),
                atRegistration);
    }

    @Test
    void holdingAndEvictingOnManyThreadsNeverThrowsAndLeavesNoGaugeBehind() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean holder = t % 2 == 0;
                runs.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                        if (holder) {
                            held("/doc/" + (i % 8), clock.instant(), clock.instant().plusSeconds(60));
                        } else {
                            metrics.show("/doc/" + (i % 8), () -> null);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : runs) {
                f.get(30, TimeUnit.SECONDS); // an exception on any thread fails here
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 8; i++) {
            metrics.show("/doc/" + i, () -> null);
        }
        assertEquals(0, gauges(), "every gauge registered was removed");
        assertTrue(registry.getMeters().stream().noneMatch(m -> m.getId().getName().startsWith("rproxy.resource.")));
    }

    @Test
    void everyVerificationFailureReasonHasASeriesAtZeroFromTheStart() {
        Set<String> reasons = registry.find("rproxy.verification.failures").counters().stream()
                .peek(c -> assertEquals(0.0, c.count(), c.getId().toString()))
                .map(c -> c.getId().getTag("reason")).collect(Collectors.toSet());
        Set<String> expected = Arrays.stream(Outcome.values()).filter(o -> o != Outcome.VALID)
                .map(o -> o.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        assertEquals(expected, reasons);
        metrics.verificationFailure(Outcome.BAD_SIGNATURE);
        assertEquals(1, metrics.verificationFailures(Outcome.BAD_SIGNATURE));
        assertEquals(1.0, registry.get("rproxy.verification.failures").tag("reason", "bad_signature").counter().count());
    }

    @Test
    void theStaleServedHelpNamesBothWindows() {
        String help = registry.get("rproxy.cache.stale.served").meter().getId().getDescription();
        assertTrue(help.contains("stale-while-revalidate") && help.contains("stale-if-error"), help);
    }
}
