package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.store.Representation;

/** A follower rebuilds what each signature event signs, holds only what its listener accepts, and reports what it cannot rebuild. */
class StreamFollowerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final List<String> seen = new ArrayList<>();
    private boolean accept = true;
    private final StreamFollower follower = new StreamFollower(1 << 20, Set.of("rc", "nm"), new StreamFollower.Listener() {
        @Override
        public boolean onUpdate(String substream, Bytes body, StreamFollower.FieldLookup fields, boolean patched) {
            seen.add(substream + (patched ? " patch " : " full ") + fields.get("etag") + " " + body.length());
            return accept;
        }

        @Override
        public void onRejected(String substream, String reason) {
            seen.add(substream + " rejected: " + reason);
        }
    });

    private void feed(Bytes b) {
        // in two pieces, as a socket may deliver it
        int half = b.length() / 2;
        follower.feed(b.unsafeArray(), 0, half);
        follower.feed(b.unsafeArray(), half, b.length() - half);
    }

    private static Bytes signature(String id, Representation r) {
        return Sse.event(SignatureEvent.MEDIA_TYPE, id, SignatureEvent.of(r).toJson());
    }

    @Test
    void aFullBodyThenAPatchRebuildTheSignedBytes() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        Representation v6 = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        feed(Sse.event(MediaTypes.UPDATE_STREAM_CONTROL, null, Bytes.utf8("{\"control-uri\":\"/updates/c/1\"}")));
        feed(Sse.event("application/alto-costmap+json", "rc", v5.identity().body()));
        feed(signature("rc", v5));
        assertEquals(v5.identity().body(), follower.held("rc"));

        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("{\"cost-map\":{\"PID1\":{\"PID2\":6}}}")));
        feed(signature("rc", v6));
        assertEquals(v6.identity().body(), follower.held("rc"), "the patched bytes, in RFC 8785 form");
        assertEquals(List.of("rc full " + v5.identity().etag() + " " + v5.identity().body().length(),
                "rc patch " + v6.identity().etag() + " " + v6.identity().body().length()), seen);
    }

    @Test
    void anUpdateTheListenerRefusesIsNotHeld() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        Representation v6 = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        feed(Sse.event("application/alto-costmap+json", "rc", v5.identity().body()));
        feed(signature("rc", v5));
        accept = false;
        feed(Sse.event("application/alto-costmap+json", "rc", v6.identity().body()));
        feed(signature("rc", v6));
        assertEquals(v5.identity().body(), follower.held("rc"));
    }

    @Test
    void aPatchForNothingHeldAndAMalformedSignatureAreRejected() {
        Representation v6 = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("{\"cost-map\":{}}")));
        feed(signature("rc", v6));
        feed(Sse.event(SignatureEvent.MEDIA_TYPE, "nm", Bytes.utf8("{}")));
        assertNull(follower.held("rc"));
        assertEquals(2, seen.size());
        assertTrue(seen.get(0).startsWith("rc rejected: a renewal or patch"), seen.get(0));
        assertTrue(seen.get(1).startsWith("nm rejected: signature event"), seen.get(1));
        assertFalse(seen.stream().anyMatch(s -> s.contains(" full ")));
    }

    @Test
    void aBodyHeldFromBeforeTheStreamIsWhatItsFirstPatchAppliesTo() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        Representation v6 = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        follower.hold("rc", v5.identity().body());
        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("{\"cost-map\":{\"PID1\":{\"PID2\":6}}}")));
        feed(signature("rc", v6));
        assertEquals(v6.identity().body(), follower.held("rc"));
        assertEquals(List.of("rc patch " + v6.identity().etag() + " " + v6.identity().body().length()), seen);
    }

    @Test
    void eventsOfSubstreamsNotSubscribedToAreDroppedAsTheyCome() {
        // a source inventing ids could otherwise have the follower hold an event for each of them
        Representation v5 = SignedCostMaps.costMap(5, T0);
        for (int i = 0; i < 3; i++) {
            feed(Sse.event("application/alto-costmap+json", "junk" + i, v5.identity().body()));
            feed(signature("junk" + i, v5));
        }
        assertNull(follower.held("junk0"));
        assertEquals(List.of(), seen, "never rebuilt, never offered");
        feed(Sse.event("application/alto-costmap+json", "rc", v5.identity().body()));
        feed(signature("rc", v5));
        assertEquals(v5.identity().body(), follower.held("rc"));
    }
    @Test
    void anEventWithNoTypeOrATypeNamingNoSubstreamFailsTheStream() {
        // RFC 8895 §5: every event names a media type and a substream, or is a control event
        Bytes typeless = Bytes.utf8("data: {\"cost-map\":{}}\n\n");
        MalformedStreamException e = assertThrows(MalformedStreamException.class,
                () -> follower.feed(typeless.unsafeArray(), 0, typeless.length()));
        assertTrue(e.getMessage().contains("'message'"), e.getMessage());
        Bytes unknown = Sse.event("application/alto-costmap+json", null, Bytes.utf8("{}"));
        assertThrows(MalformedStreamException.class, () -> follower.feed(unknown.unsafeArray(), 0, unknown.length()));
        assertEquals(List.of(), seen);
    }

    @Test
    void toldTheSubstreamsMediaTypesADataEventOfAnotherTypeFailsTheStream() {
        List<String> heard = new ArrayList<>();
        StreamFollower typed = new StreamFollower(1 << 20, Map.of("rc", "application/alto-costmap+json"),
                new StreamFollower.Listener() {
                    @Override
                    public boolean onUpdate(String substream, Bytes body, StreamFollower.FieldLookup fields,
                                            boolean patched) {
                        heard.add(substream + (patched ? " patch" : " full"));
                        return true;
                    }

                    @Override
                    public void onRejected(String substream, String reason) {
                        heard.add(substream + " rejected: " + reason);
                    }
                });
        Representation v5 = SignedCostMaps.costMap(5, T0);
        for (Bytes ok : List.of(Sse.event("Application/ALTO-costmap+json; charset=utf-8", "rc", v5.identity().body()),
                signature("rc", v5),
                Sse.event("text/plain", "other", Bytes.utf8("not subscribed: dropped")))) {
            typed.feed(ok.unsafeArray(), 0, ok.length());
        }
        assertEquals(List.of("rc full"), heard);
        Bytes wrong = Sse.event("text/plain", "rc", Bytes.utf8("hello"));
        MalformedStreamException e = assertThrows(MalformedStreamException.class,
                () -> typed.feed(wrong.unsafeArray(), 0, wrong.length()));
        assertTrue(e.getMessage().contains("'text/plain' for substream rc"), e.getMessage());
    }
}
