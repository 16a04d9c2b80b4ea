package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.MergePatch;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.stream.Sse;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * A streamed update of a document the client holds has its signature checked once: its signed
 * fields are checked before the body is rebuilt, and the body rebuilt is then checked against
 * their digest, not their signature again (the reader checked the fields, then verified the whole
 * again: two public-key operations per update of a map of any size). The client takes the
 * uncompressed variant alone, so one check per update, whatever the signature event says of the
 * gzip variant; and a body that does not rebuild to the signed bytes is refused in the words a
 * check of the whole gives. Counted by the client's verifier ({@code signatureChecks}); a real
 * reader of real stream bytes, signed with a real key.
 */
class StreamedUpdateVerifiedOnceTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final String ID = "my-default-network-map";
    private static final String MAP = "/networkmap/" + ID;
    private static final URI SOURCE = URI.create("http://127.0.0.1:1/");
    private static final URI STREAM = URI.create("http://127.0.0.1:1/updates");
    private static final String DIRECTORY = "{\"meta\":{\"default-alto-network-map\":\"" + ID + "\"},\"resources\":{\""
            + ID + "\":{\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"" + MAP + "\"}}}";
    private static final String V1 = "{\"meta\":{\"vtag\":{\"resource-id\":\"" + ID + "\",\"tag\":\"a1\"}},"
            + "\"network-map\":{\"PID1\":{\"ipv4\":[\"0.0.0.0/0\"],\"ipv6\":[\"::/0\"]}}}";
    private static final String PATCH = "{\"meta\":{\"vtag\":{\"tag\":\"a2\"}},"
            + "\"network-map\":{\"PID2\":{\"ipv4\":[\"198.51.100.0/24\"]}}}";

    private final TestSigner origin = new TestSigner();
    private final MutableClock clock = new MutableClock(T0.plusSeconds(30));
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()), clock);
    private final Checker checker = new Checker(verifier, RollbackGuard.inMemory(), null);
    private final HeldState state = new HeldState(AltoJson.readDirectory(Jcs.parse(utf8(DIRECTORY))),
            origin.sign("/directory", DIRECTORY, false, T0, HOUR, 60), clock);
    private final SourceHealth health = new SourceHealth(clock, Duration.ofMinutes(1));
    private final HeardUpdates heard = new HeardUpdates();
    private final Representation v1 = origin.sign(MAP, V1, true, T0, HOUR, 60);
    /** The next version, as the origin renders it: v1 with the patch applied, in RFC 8785 form. */
    private final String v2Body = new String(Jcs.canonicalize(MergePatch.apply(Jcs.parse(utf8(V1)),
            Jcs.parse(utf8(PATCH)))), StandardCharsets.UTF_8);
    private final Representation v2 = origin.sign(MAP, v2Body, true, T0.plusSeconds(5), HOUR, 60);

    @Test
    void aMergePatchOfTheMapHeldHasItsSignatureCheckedOnce() throws IOException {
        long checks = read(event(MediaTypes.MERGE_PATCH, PATCH), signatureEvent(v2));
        assertEquals(List.of(), List.copyOf(heard.refused));
        assertEquals(v2.created(), state.get(MAP).created(), "the new version taken");
        assertEquals(Bytes.utf8(v2Body), state.get(MAP).identity().body());
        assertEquals(1, checks, "one signature check for the update (its gzip variant is not taken)");
    }

    @Test
    void aFullBodyOfTheMapHeldHasItsSignatureCheckedOnce() throws IOException {
        long checks = read(event("application/alto-networkmap+json", v2Body), signatureEvent(v2));
        assertEquals(List.of(), List.copyOf(heard.refused));
        assertEquals(v2.created(), state.get(MAP).created());
        assertEquals(1, checks);
    }

    @Test
    void aPatchThatDoesNotRebuildTheSignedBytesIsRefusedInTheWordsOfACheckOfTheWhole() throws IOException {
        String other = "{\"network-map\":{\"PID2\":{\"ipv4\":[\"203.0.113.0/24\"]}}}";
        long checks = read(event(MediaTypes.MERGE_PATCH, other), signatureEvent(v2));
        ClientException.InvalidResponse refused = assertInstanceOf(ClientException.InvalidResponse.class,
                heard.refused.poll());
        assertNull(heard.refused.poll(), "one refusal: " + heard);
        assertEquals(v1.created(), state.get(MAP).created(), "the version held stays");
        assertTrue(health.coolingDown(SOURCE), "a source that sends what does not verify is left");

        // what a check of the whole (signature included) says of those bytes with those fields
        Bytes rebuilt = Bytes.wrap(Jcs.canonicalize(MergePatch.apply(Jcs.parse(utf8(V1)), Jcs.parse(utf8(other)))));
        Checker whole = new Checker(new ResponseVerifier(List.of(origin.publicKey()), clock), RollbackGuard.inMemory(),
                null);
        ClientException.InvalidResponse expected = assertThrows(ClientException.InvalidResponse.class,
                () -> whole.check(STREAM, MAP, n -> v2.identity().header(n).orElse(null), rebuilt, 60, v1.created()));
        assertEquals(VerificationFailure.DIGEST_MISMATCH, expected.failure());
        assertEquals(expected.failure(), refused.failure());
        assertEquals(expected.getMessage(), refused.getMessage());
        assertEquals(1, checks, "the fields' signature, not again for the bytes rebuilt");
    }

    /** Feeds the events to a reader that subscribed naming v1, held; the signature checks it made. */
    private long read(byte[]... events) throws IOException {
        state.put(MAP, v1);
        StreamReader reader = new StreamReader(state, checker, health, heard, new ToldAnswers(state, heard), 1 << 20, SOURCE, STREAM, Map.of(ID, MAP),
                Map.of(MAP, v1), Map.of(), () -> false, () -> { }, new UpdateCounts());
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (byte[] e : events) {
            stream.writeBytes(e);
        }
        long before = verifier.signatureChecks();
        reader.read(new ByteArrayInputStream(stream.toByteArray()));
        return verifier.signatureChecks() - before;
    }

    private static byte[] event(String mediaType, String body) {
        return Sse.event(mediaType, ID, Bytes.utf8(body)).toArray();
    }

    private static byte[] signatureEvent(Representation r) {
        return Sse.event(SignatureEvent.MEDIA_TYPE, ID, SignatureEvent.of(r).toJson()).toArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
