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
    private final List<String> repeated = new ArrayList<>();
    private boolean accept = true;
    private boolean admit = true;
    private final StreamFollower follower = new StreamFollower(1 << 20, Set.of("rc", "nm"), new StreamFollower.Listener() {
        @Override
        public boolean onUpdate(String substream, Bytes body, StreamFollower.FieldLookup fields, boolean patched) {
            seen.add(substream + (patched ? " patch " : " full ") + fields.get("etag") + " " + body.length());
            return accept;
        }

        @Override
        public boolean admits(String substream, StreamFollower.FieldLookup fields) {
            if (!admit) {
                seen.add(substream + " refused on its fields " + fields.get("etag"));
            }
            return admit;
        }

        @Override
        public void onRepeated(String substream) {
            repeated.add(substream);
        }

        @Override
        public void onStopped(String substream, String description) {
            seen.add(substream + " stopped: " + description);
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

    /**
     * A source that repeats the version held (an empty merge patch, or nothing, with the signature
     * event of that version, again and again) has nothing rebuilt or checked: the first is, the
     * repeats are dropped as they come and counted, whatever data came before them. Each rebuild
     * of a large map was a parse, a deep copy, RFC 8785 and a hash, for a kilobyte sent.
     */
    @Test
    void aRepeatOfTheSignatureEventHeldIsDroppedWithoutRebuildingOrAskingTheListener() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        Representation v6 = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        feed(Sse.event("application/alto-costmap+json", "rc", v5.identity().body()));
        feed(signature("rc", v5));
        for (int i = 0; i < 50; i++) {
            feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("{}")));
            feed(signature("rc", v5));
            feed(signature("rc", v5)); // a renewal's form: the event alone
        }
        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("{\"cost-map\":{\"PID1\":{\"PID2\":6}}}")));
        feed(signature("rc", v6));
        assertEquals(List.of("rc full " + v5.identity().etag() + " " + v5.identity().body().length(),
                "rc patch " + v6.identity().etag() + " " + v6.identity().body().length()), seen,
                "only the two versions were rebuilt and checked");
        assertEquals(v6.identity().body(), follower.held("rc"));
        assertEquals(100, repeated.size());
    }

    /** A version the client held when it subscribed, repeated by the stream, is not rebuilt either. */
    @Test
    void aRepeatOfTheVersionHeldWhenSubscribingIsDropped() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        follower.hold("rc", v5.identity().body(), v5.identity().headers());
        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("{}")));
        feed(signature("rc", v5));
        assertEquals(List.of(), seen);
        assertEquals(List.of("rc"), repeated);
    }

    /**
     * The listener's look at the signed fields comes before the rebuild: an update it refuses
     * there (an older version, a bad signature) has its patch never applied: a patch that is not
     * JSON is not even noticed.
     */
    @Test
    void anUpdateRefusedOnItsFieldsIsNotRebuilt() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        Representation v6 = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        feed(Sse.event("application/alto-costmap+json", "rc", v6.identity().body()));
        feed(signature("rc", v6));
        admit = false;
        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("not json")));
        feed(signature("rc", v5));
        assertEquals(List.of("rc full " + v6.identity().etag() + " " + v6.identity().body().length(),
                "rc refused on its fields " + v5.identity().etag()), seen);
        assertEquals(v6.identity().body(), follower.held("rc"));
    }

    /**
     * A new signing of the bytes held (its content digest the held one's) sent as a merge patch is
     * not rebuilt: the held bytes are the only ones that digest can match. A patch that is not
     * JSON is still refused.
     */
    @Test
    void aRenewalOfTheBytesHeldIsNotRebuiltFromItsPatch() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        Representation renewed = SignedCostMaps.costMap(5, T0.plusSeconds(10));
        feed(Sse.event("application/alto-costmap+json", "rc", v5.identity().body()));
        feed(signature("rc", v5));
        Bytes held = follower.held("rc");
        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("{}")));
        feed(signature("rc", renewed));
        assertTrue(held == follower.held("rc"), "the held bytes themselves, not a rebuilt copy");
        assertEquals("rc patch " + renewed.identity().etag() + " " + v5.identity().body().length(), seen.get(1));
        feed(Sse.event(MediaTypes.MERGE_PATCH, "rc", Bytes.utf8("not json")));
        feed(signature("rc", SignedCostMaps.costMap(5, T0.plusSeconds(20))));
        assertTrue(seen.get(2).startsWith("rc rejected: "), seen.toString());
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
    /**
     * A control event stopping substreams (RFC 8895 §6.3) tells the listener of each subscribed one
     * with the description, and drops a data event of it still waiting for its signature: nothing
     * more comes for it. One naming no subscribed substream, and other control events, tell nothing.
     */
    @Test
    void aControlEventStoppingASubscribedSubstreamIsToldAndItsWaitingDataDropped() {
        Representation v5 = SignedCostMaps.costMap(5, T0);
        feed(Sse.event("application/alto-costmap+json", "rc", v5.identity().body()));
        feed(Sse.event(MediaTypes.UPDATE_STREAM_CONTROL, null,
                Bytes.utf8("{\"stopped\":[\"rc\",\"other\"],\"description\":\"a raw CR\"}")));
        feed(Sse.event(MediaTypes.UPDATE_STREAM_CONTROL, null, Bytes.utf8("{\"started\":[\"nm\"]}")));
        feed(Sse.event(MediaTypes.UPDATE_STREAM_CONTROL, null, Bytes.utf8("{\"stopped\":")));
        assertEquals(List.of("rc stopped: a raw CR"), seen);
        feed(signature("rc", v5));
        assertEquals("rc rejected: a renewal or patch for a document not held", seen.get(1),
                "the body sent before the stop is not taken for this signature");
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
