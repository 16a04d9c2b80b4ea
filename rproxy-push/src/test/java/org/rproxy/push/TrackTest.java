package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.SignatureTwins;
import org.rproxy.core.testing.TestSigner;

/**
 * What the publisher makes of each representation its store takes: a new version, a renewal
 * (sent to every subscriber as a signature event), or the same. A feed may be handed the version
 * it holds again with its ECDSA signatures' twins (s replaced by n - s: they verify too), and
 * takes it (a pull refresh from a hostile upstream does): compared by bytes it was a renewal, and
 * every subscriber was sent the same signing again, once per such refresh.
 */
class TrackTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final String NM = "/networkmap/nm";
    private final TestSigner origin = new TestSigner(SignatureAlgorithm.ECDSA_P256_SHA256);

    private Representation signed(Instant created) {
        return origin.sign(NM, "{\"network-map\":{}}", true, created, Duration.ofHours(1), 60);
    }

    private static Representation twin(Representation r) {
        return new Representation(new Variant(r.identity().body(), null, SignatureTwins.twin(r.identity().headers())),
                new Variant(r.gzip().body(), "gzip", SignatureTwins.twin(r.gzip().headers())), r.maxAgeSeconds(),
                r.created(), r.expires());
    }

    @Test
    void theSameSigningWithItsEcdsaTwinsIsTheSameNotARenewal() {
        Track track = Track.document(NM);
        Representation r = signed(T0);
        assertEquals(Track.Change.NEW_VERSION, track.update(r));
        assertEquals(Track.Change.SAME, track.update(twin(r)));
        assertEquals(Track.Change.SAME, track.update(r));
        assertEquals(1, track.signatureVersion(), "no signature event made again");
        assertEquals(Track.Change.RENEWAL, track.update(signed(T0.plusSeconds(1))));
    }
}
