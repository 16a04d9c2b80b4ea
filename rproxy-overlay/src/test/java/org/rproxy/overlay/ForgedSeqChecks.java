package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.config;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.field;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.bundle.SignedBundle;

/** Namespace checks ({@link NamespaceChecks}) of pointers whose seq is not their bundle's version. */
final class ForgedSeqChecks {
    private ForgedSeqChecks() {
    }

    /**
     * The cost map went from v1 to v2 and the honest publisher points at v2; a listed publisher
     * turned bad points at the genuine v1 bundle under a seq far ahead (now + 2000 s). A new
     * client, holding nothing, must take v2, and say that it refused the bad publisher's pointer,
     * naming that publisher; the next fetch refuses it again without a transfer.
     */
    static void olderBundleUnderANewerSeq(Path dir) throws Exception {
        try (OverlayPublisher honest = OverlayPublisher.start(config(dir, 1, key(dir, 1)));
             OverlayPublisher bad = OverlayPublisher.start(config(dir, 2, key(dir, 2)));
             OverlayClient client = OverlayClient.start(config(dir, 3, null))) {
            joined(honest, bad, client);
            Instant v1 = Instant.now().minusSeconds(60);
            Instant v2 = v1.plusSeconds(30);
            SignedBundle old = bundle(ORIGIN, "map-a", v1, "v1");
            say("put v2: " + honest.publish(bundle(ORIGIN, "map-a", v2, "v2"), v2.getEpochSecond()).get(90, TimeUnit.SECONDS));
            say("bad put v1 as now + 2000: " + forge(bad, old, Instant.now().getEpochSecond() + 2000));

            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(bad.publicKey(), honest.publicKey())),
                    List.of(ORIGIN.publicKey()), client);
            Object first = sources.fetch("/networkmap/map-a");
            say("fetch a: " + describe(first));
            assertTrue(first instanceof VerifiedDocument, describe(first));
            VerifiedDocument d = (VerifiedDocument) first;
            assertEquals(v2.getEpochSecond(), d.created().getEpochSecond(), "a new client took an older version: " + describe(d));
            assertTrue(d.refused().toString().contains(bad.publicKey()), "the refusal names the publisher: " + d.refused());
            assertTrue(d.refused().toString().contains("seq"), "the refusal says why: " + d.refused());
            Object again = sources.fetch("/networkmap/map-a");
            say("fetch a again: " + describe(again));
            assertTrue(describe(again).contains("refused before"), "the pointer refused once is not fetched again: "
                    + describe(again));
            assertThrows(IllegalArgumentException.class, () -> bad.publish(old, Instant.now().getEpochSecond() + 2000),
                    "a seq other than the bundle's created is refused by the publisher");
        }
    }

    /**
     * Has {@code p} seed {@code bundle} and point at it as version {@code seq}, whatever the
     * bundle's own version: what a publisher turned bad does, which the public API refuses.
     */
    static Integer forge(OverlayPublisher p, SignedBundle bundle, long seq) throws Exception {
        PublishedVersions versions = (PublishedVersions) field(p, "versions");
        CompletableFuture<Integer> put = ((ExecutorService) field(p, "worker"))
                .submit(() -> versions.publish("map-a", seq, bundle.toBytes(), Instant.MAX)).get(90, TimeUnit.SECONDS);
        return put.get(90, TimeUnit.SECONDS);
    }
}
