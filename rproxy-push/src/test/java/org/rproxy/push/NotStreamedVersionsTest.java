package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.Eventually;

/**
 * A version of a document the update stream publisher does not stream shows on /metrics
 * ({@code rproxy_updates_not_streamed_total{reason,target}}), not in a WARN alone: one whose signed
 * fields cannot be read ({@code unreadable}: the held version stays the one streamed), one whose
 * bytes hold a raw CR ({@code raw_cr}: served by GET alone). And a version refused so leaves the
 * held one whole: its new bytes had already replaced the held ones' when reading its
 * {@code alto-resource} failed, and a subscriber was sent the new bytes with the held version's
 * signature event, which does not verify over them.
 */
class NotStreamedVersionsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String CM = "/costmap/rc";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
    private final AltoService service = publisher.wrap(r -> {
        throw new AssertionError("not a stream path: " + r.path());
    });
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        publisher.close();
    }

    @Test
    void aVersionWhoseFieldsCannotBeReadIsCountedAndTheHeldOneIsStillStreamedWhole() throws Exception {
        publisher.bindTo(registry);
        Representation held = UpdatePublisherTest.costMap(5, T0);
        publisher.accept(CM, held);
        // signed and tagged, but its alto-resource has a path that is no string
        publisher.accept(CM, withField(UpdatePublisherTest.costMap(6, T0.plusSeconds(1)), "alto-resource", "\"rc\";path=1"));

        // handled on the publisher's thread after both: the stream starts with what is held
        UpdatePublisherTest.RecordingSink sink = UpdatePublisherTest.subscribe(service,
                "{\"add\":{\"rc\":{\"resource-id\":\"rc\"}}}");
        sink.next(); // the control event
        String update = sink.next();
        assertTrue(update.contains("\"PID2\":5") && !update.contains("\"PID2\":6"), "the held bytes: " + update);
        assertTrue(update.contains(held.identity().header("content-digest").orElseThrow()),
                "with the held version's signature event: " + update);
        assertEquals(1.0, notStreamed(CM, "unreadable"));
        assertEquals(0.0, notStreamed(CM, "raw_cr"));
    }

    @Test
    void aVersionWithARawCrIsCountedAndCountsBeforeTheMetersWereBoundShow() {
        publisher.accept(CM, UpdatePublisherTest.costMap(5, T0));
        publisher.accept(CM, UpdatePublisherTest.signed(CM, "rc", "application/alto-costmap+json",
                "{\"cost-map\":{\"PID1\":{\"PID2\":7}}}\r\n", T0.plusSeconds(1)));
        Eventually.await("the version with a raw CR counted", WAIT,
                () -> publisher.notStreamed().count(CM, NotStreamed.Reason.RAW_CR) == 1);
        publisher.bindTo(registry);
        assertEquals(1.0, notStreamed(CM, "raw_cr"));
        assertFalse(registry.find("rproxy.updates.not.streamed").tag("reason", "unreadable").functionCounters()
                .stream().anyMatch(c -> c.count() > 0), "nothing else counted");
    }

    private double notStreamed(String target, String reason) {
        FunctionCounter c = registry.find("rproxy.updates.not.streamed").tags("target", target, "reason", reason)
                .functionCounter();
        return c == null ? 0 : c.count();
    }

    /** {@code r} with the identity field {@code name} set to {@code value} (the signature left as it was). */
    private static Representation withField(Representation r, String name, String value) {
        List<HeaderField> fields = new ArrayList<>();
        for (HeaderField h : r.identity().headers()) {
            fields.add(h.name().equals(name) ? new HeaderField(name, value) : h);
        }
        return new Representation(new Variant(r.identity().body(), null, fields), null, r.maxAgeSeconds(), r.created(),
                r.expires());
    }
}
