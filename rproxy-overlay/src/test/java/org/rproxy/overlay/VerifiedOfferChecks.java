package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.configOfTwo;
import static org.rproxy.overlay.NamespaceChecks.field;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.publisherIdle;
import static org.rproxy.overlay.NamespaceChecks.say;
import static org.rproxy.overlay.NamespaceChecks.waitFor;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** Namespace checks of what a publisher takes on its caller's word: nothing (run by {@link NamespaceChecks}). */
final class VerifiedOfferChecks {
    private VerifiedOfferChecks() {
    }

    /**
     * A copy relabelled with a later {@code created} and {@code expires} than its signature says is
     * published as the version its signature says, dropped when that signature expires; a copy
     * whose bytes were changed is not published, nor seeded; a {@link VerifiedRepresentation} is
     * published as it is.
     */
    static void offeredCopiesAreVerified(Path dir) throws Exception {
        try (OverlayClient helper = OverlayClient.start(configOfTwo(dir, 3, null));
             OverlayPublisher p = OverlayPublisher.start(configOfTwo(dir, 1, key(dir, 1)))) {
            joined(p, helper);
            OverlayNode n = node(p);
            ResponseVerifier verifier = new ResponseVerifier(List.of(ORIGIN.publicKey()), Clock.systemUTC());
            Instant created = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS); // as signed
            Instant expires = created.plus(Duration.ofHours(2));

            Representation a = bundle(ORIGIN, "map-a", created, "a1", expires).representation(verifier);
            Representation relabelled = new Representation(a.identity(), null, a.maxAgeSeconds(),
                    created.plusSeconds(3600), expires.plus(Duration.ofDays(30)));
            Variant b = bundle(ORIGIN, "map-b", created, "b1", expires).representation(verifier).identity();
            byte[] changed = b.body().toArray();
            changed[changed.length - 2] = ' '; // "{}" becomes "{ }": the digest no longer matches
            Representation tampered = new Representation(new Variant(Bytes.wrap(changed), null, b.headers()), null, 60,
                    created, expires);
            Representation c = bundle(ORIGIN, "map-c", created, "c1", expires).representation(verifier);
            VerifiedRepresentation verifiedC = ((VerifiedRepresentation.Verified) VerifiedRepresentation.verify(verifier,
                    "/networkmap/map-c", c)).copy();

            p.offer("/networkmap/map-a", relabelled, verifier);
            p.offer("/networkmap/map-b", tampered, verifier);
            p.offer(verifiedC);
            publisherIdle(p);
            waitFor(() -> p.published().size() >= 2, 30);
            say("published: " + p.published() + ", torrents " + n.swarm().torrents());
            assertEquals(Map.of("map-a", created.getEpochSecond(), "map-c", created.getEpochSecond()), p.published(),
                    "map-a at its signature's created, map-b (tampered) not at all");
            assertEquals(2, n.swarm().torrents(), "map-a's and map-c's torrents, not the tampered map-b's");
            PublishedVersions versions = (PublishedVersions) field(p, "versions");
            @SuppressWarnings("unchecked")
            Map<Pointer, Instant> expiries = (Map<Pointer, Instant>) field(versions, "expiries");
            assertEquals(expires, expiries.get(versions.current("map-a")), "map-a dropped when its signature expires");
        }
    }
}
