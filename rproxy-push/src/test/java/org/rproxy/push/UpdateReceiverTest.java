package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * The directory read at each discovery is held only when it is not older than the one held; a
 * document event waits for its signature event only until the next document event.
 */
class UpdateReceiverTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    private final TestSigner origin = new TestSigner();
    private final List<Instant> handedOn = new ArrayList<>();
    private final MutableClock clock = new MutableClock(T0.plusSeconds(300));
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()), clock);
    private final UpdateReceiver receiver = new UpdateReceiver(verifier,
            copy -> handedOn.add(copy.representation().created()));

    /** The directory {@code body} signed at {@code created}, verified now. */
    private VerifiedRepresentation directory(String body, Instant created) {
        return verified(origin.sign(StreamDiscovery.DIRECTORY, body, false, created, Duration.ofHours(1), 60));
    }

    private VerifiedRepresentation verified(Representation r) {
        return ((VerifiedRepresentation.Verified) VerifiedRepresentation.verify(verifier, StreamDiscovery.DIRECTORY, r))
                .copy();
    }

    @Test
    void anOlderDirectoryFromAnotherUpstreamDoesNotReplaceTheOneHeld() {
        receiver.accept(directory("{\"resources\":{\"b\":{}}}", T0.plusSeconds(60)), true);
        receiver.accept(directory("{\"resources\":{\"a\":{}}}", T0), true);
        assertEquals(T0.plusSeconds(60), receiver.heldView().get(StreamDiscovery.DIRECTORY).created());
        assertEquals(List.of(T0.plusSeconds(60)), handedOn, "the older one is not handed on");
        assertEquals(1, receiver.rejected());
        receiver.accept(directory("{\"resources\":{\"c\":{}}}", T0.plusSeconds(120)), true);
        assertEquals(List.of(T0.plusSeconds(60), T0.plusSeconds(120)), handedOn);
    }

    /**
     * The origin's clock was stepped back (an NTP correction, a restored VM) and it signs with a
     * longer validity now: its next version is older than the one held. Refused while the version
     * held is valid (a replay of the past looks the same), it is taken once that version has
     * expired by the feed's clock; it was refused for as long as the feed ran, the expired version
     * held standing in the way of every later signing.
     */
    @Test
    void anOlderUpdateIsRefusedWhileTheHeldVersionIsValidAndTakenOnceItHasExpired() {
        Representation held = origin.sign("/a", "{\"a\":1}", false, T0, Duration.ofHours(1), 60);
        Representation stepped = origin.sign("/a", "{\"a\":2}", false, T0.minus(Duration.ofMinutes(30)),
                Duration.ofDays(1), 60);
        receiver.data("/a", false, held.identity().body());
        assertEquals(UpdateReceiver.Outcome.ACCEPTED, receiver.signature("/a", SignatureEvent.of(held).toJson()));

        receiver.data("/a", false, stepped.identity().body());
        assertEquals(UpdateReceiver.Outcome.REJECTED, receiver.signature("/a", SignatureEvent.of(stepped).toJson()),
                "older than the valid version held");
        assertEquals(T0, receiver.heldView().get("/a").created());

        clock.advance(Duration.ofMinutes(55)); // T0 + 1 h: the version held expires
        receiver.data("/a", false, stepped.identity().body());
        assertEquals(UpdateReceiver.Outcome.ACCEPTED, receiver.signature("/a", SignatureEvent.of(stepped).toJson()),
                "the version held has expired");
        assertEquals(stepped.created(), receiver.heldView().get("/a").created());
        assertEquals(List.of(T0, stepped.created()), handedOn, "handed on, to the store and the stream");
        assertEquals(1, receiver.rejected());
    }

    /**
     * The same for a version verified elsewhere (the directory read before subscribing, an update
     * checked on a stream on trial): an older one is refused while the one held is valid.
     */
    @Test
    void anOlderDirectoryIsTakenOnceTheOneHeldHasExpired() {
        VerifiedRepresentation newer = directory("{\"resources\":{\"b\":{}}}", T0.plusSeconds(60));
        assertTrue(receiver.accept(newer, true));
        VerifiedRepresentation older = directory("{\"resources\":{\"a\":{}}}", T0);
        assertFalse(receiver.accept(older, true), "the one held is valid");
        clock.advance(Duration.ofMinutes(56)); // T0 + 1 h + 60 s: the one held expires
        assertTrue(receiver.accept(older, true), "the one held has expired");
        assertEquals(T0, receiver.heldView().get(StreamDiscovery.DIRECTORY).created());
        assertEquals(List.of(T0.plusSeconds(60), T0), handedOn);
    }

    /**
     * An upstream that sends document events and never their signature events (a made-up
     * document each, up to the thousands the feed follows, each up to its largest event) had the
     * feed hold every one, unverified, until its heap ran out. The signature event follows its
     * document event directly (RFC 8895 with this project's signature events), so only the last
     * one waits: an earlier one's signature, coming later, finds nothing to complete.
     */
    @Test
    void onlyTheLastDocumentEventWaitsForItsSignatureEvent() {
        Representation a = origin.sign("/a", "{\"a\":1}", false, T0, Duration.ofHours(1), 60);
        receiver.data("/a", false, a.identity().body());
        receiver.data("/b", false, Bytes.wrap("{\"b\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(UpdateReceiver.Outcome.REJECTED, receiver.signature("/a", SignatureEvent.of(a).toJson()),
                "the event for /a was still held");
        assertNull(receiver.heldView().get("/a"));
        assertEquals(1, receiver.rejected());

        receiver.data("/a", false, a.identity().body());
        assertEquals(UpdateReceiver.Outcome.ACCEPTED, receiver.signature("/a", SignatureEvent.of(a).toJson()),
                "a document event and its signature event");
        assertEquals(a.created(), receiver.heldView().get("/a").created());
    }

    /**
     * What {@link PushFeed#held} and the update counter show was handed on already: a reader that
     * sees a version there (a test, the meters) finds it where the output put it. The view was
     * replaced before the output ran, so a full build saw the push proxy's feed hold the new network
     * map and then read the old one from the proxy.
     */
    @Test
    void theViewAndTheCounterShowAnUpdateOnlyOnceTheOutputHasTakenIt() {
        List<String> seenDuringOutput = new ArrayList<>();
        UpdateReceiver[] self = new UpdateReceiver[1];
        self[0] = new UpdateReceiver(verifier, copy -> seenDuringOutput.add(
                self[0].heldView().containsKey(copy.target()) + " " + self[0].updates()));
        self[0].accept(directory("{\"resources\":{}}", T0), true);
        assertEquals(List.of("false 0"), seenDuringOutput, "not shown while the output runs");
        assertTrue(self[0].heldView().containsKey(StreamDiscovery.DIRECTORY));
        assertEquals(1, self[0].updates());
    }
}
