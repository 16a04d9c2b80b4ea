package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/** The directory read at each discovery is held only when it is not older than the one held. */
class UpdateReceiverTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    private final TestSigner origin = new TestSigner();
    private final List<Instant> handedOn = new ArrayList<>();
    private final UpdateReceiver receiver = new UpdateReceiver(
            new ResponseVerifier(List.of(origin.publicKey()), new MutableClock(T0.plusSeconds(300))),
            (target, r) -> handedOn.add(r.created()));

    private Representation directory(String body, Instant created) {
        return origin.sign(StreamDiscovery.DIRECTORY, body, false, created, Duration.ofHours(1), 60);
    }

    @Test
    void anOlderDirectoryFromAnotherUpstreamDoesNotReplaceTheOneHeld() {
        receiver.accept(StreamDiscovery.DIRECTORY, directory("{\"resources\":{\"b\":{}}}", T0.plusSeconds(60)), true);
        receiver.accept(StreamDiscovery.DIRECTORY, directory("{\"resources\":{\"a\":{}}}", T0), true);
        assertEquals(T0.plusSeconds(60), receiver.heldView().get(StreamDiscovery.DIRECTORY).created());
        assertEquals(List.of(T0.plusSeconds(60)), handedOn, "the older one is not handed on");
        assertEquals(1, receiver.rejected());
        receiver.accept(StreamDiscovery.DIRECTORY, directory("{\"resources\":{\"c\":{}}}", T0.plusSeconds(120)), true);
        assertEquals(List.of(T0.plusSeconds(60), T0.plusSeconds(120)), handedOn);
    }
}
