package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.TestSigner;

/**
 * A client naming the version it holds by its ALTO vtag (RFC 8895 §6.5, what an RFC 8895 client
 * holds), when two versions the publisher keeps carry that vtag with other bytes (a maps folder
 * that went back to an earlier tag with an edit: the origin compares a new tag with the previous
 * version's only): the tag names no version for sure, so the client is sent the whole document.
 * It was taken for the current version: the client was sent its signature alone, which fails
 * over the bytes it holds, and naming the same tag again, it got the same, for good.
 */
class SharedVtagTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final String NM = "/networkmap/nm";
    private final TestSigner origin = new TestSigner(SignatureAlgorithm.ED25519);

    private Representation map(String vtag, String pid, int second) {
        String body = "{\"meta\":{\"vtag\":{\"resource-id\":\"nm\",\"tag\":\"" + vtag + "\"}},\"network-map\":{\"" + pid
                + "\":{\"ipv4\":[\"10.0.0.0/8\"]}}}";
        return origin.sign(NM, body, false, T0.plusSeconds(second), Duration.ofHours(1), 60);
    }

    @Test
    void aVtagTwoKeptVersionsShareNamesNeither() {
        Track track = Track.document(NM);
        Representation first = map("2026-01", "A", 0);
        track.update(first);
        String firstVersion = track.versionId();
        track.update(map("2026-02", "A", 1));
        assertEquals(firstVersion, track.versionFor("2026-01"), "a vtag one version carries names it");
        track.update(map("2026-01", "B", 2)); // back to the first tag, with other bytes
        assertNotEquals(firstVersion, track.versionId());
        assertNull(track.versionFor("2026-01"), "a vtag two kept versions carry names neither");
        assertEquals(firstVersion, track.versionFor(first.identity().etag()), "an entity tag still names its version");
    }
}
