package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.boot;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.ip;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.testing.Eventually;

/** Namespace checks ({@link NamespaceChecks}) of a publisher that started before any peer. */
final class ColdStartChecks {
    /** The publisher's renewals: short, so that its stores no node took come seconds apart. */
    private static final RenewalTimes TIMES = NamespaceChecks.SHORT_RENEWALS;
    /**
     * How long after a peer joined its lookup must find the pointer: the publisher stores it again
     * as its routing table gains the peer, at most {@code unreached} (6 s) after its last store,
     * and room; not at the backoff's next turn, four times that (24 s) after the third store no
     * node took.
     */
    static final Duration FOUND_WITHIN = TIMES.unreached().multipliedBy(5).dividedBy(2);
    /**
     * How long a reader whose node joined a publisher that put alone looks for the pointer when
     * what is checked is what it finds with it (its seeder), not how soon: the publisher's next
     * store, which the join or the backoff's turn (twice {@code unreached} after its second store)
     * brings, and room for lookups on a loaded machine.
     */
    private static final Duration LOOKED_FOR = Duration.ofSeconds(25);

    private ColdStartChecks() {
    }

    /**
     * A publisher alone puts its pointer (no DHT node takes it) and stores it again as it
     * renews (three stores that no node took: past the settling stores of the old schedule, and
     * the backoff's next wait four times {@code unreached}, 24 s here, 40 s in the product); then a
     * peer joins. The peer's lookup must find the pointer within {@link #FOUND_WITHIN}: the
     * publisher stores it again once its routing table gains the peer, not at the backoff's next
     * turn (before: found at that turn, after the third store), nor at
     * the next republish (20 min, before the backoff).
     */
    static void pointerPutBeforeAnyPeerIsFoundOnceOneJoins(Path dir) throws Exception {
        try (OverlayPublisher p = OverlayPublisher.start(NothingFoundChecks.config(dir, 1, key(dir, 1), boot(1, 3),
                NamespaceChecks.BUDGET), TIMES)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            p.bindTo(registry);
            Instant t = Instant.now().minusSeconds(30);
            say("put alone: " + p.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
            long start = System.nanoTime();
            Eventually.await("three stores that no node took", Duration.ofSeconds(100), () -> unreached(registry) >= 3);
            say("stores no node took: " + unreached(registry) + " after " + seconds(start) + " s; a peer joins");
            try (OverlayClient client = OverlayClient.start(NothingFoundChecks.config(dir, 3, null, boot(1, 3),
                    NamespaceChecks.BUDGET))) {
                node(client).dht().joined().get(60, TimeUnit.SECONDS);
                long joined = System.nanoTime();
                Optional<StorageItem> found = lookUp(node(client).dht(), NamespaceChecks.key(p).publicKey(), "map-a", joined,
                        Duration.ofSeconds(1), FOUND_WITHIN);
                say("pointer " + (found.isPresent() ? "found" : "not found") + " " + seconds(joined) + " s after the peer joined");
                assertTrue(found.isPresent(), "the pointer put before any peer was not found within " + FOUND_WITHIN
                        + " of a peer joining");
            }
        }
    }

    /**
     * A publisher alone publishes a version: its announcement and its pointer reach no DHT node,
     * and the pointer is stored again at its backoff, each store announcing the torrent just
     * before. Right after the pointer's second store that no node took, a peer joins (its node, up and isolated until then, pings the
     * publisher's): the publisher's next store of the pointer reaches it. A reader that then
     * finds the pointer must find its seeder too, and take the bundle from the overlay. Before,
     * the announcement and the pointer were retried on backoffs of their own: the pointer landed
     * and the announcement's next store was 20 s away, so the reader's lookups found nobody
     * seeding it, and it gave up after 5 s and pulled.
     */
    static void seederFoundWithThePointerOncePeersJoin(Path dir) throws Exception {
        try (OverlayPublisher p = OverlayPublisher.start(NothingFoundChecks.config(dir, 1, key(dir, 1), boot(1, 2),
                     NamespaceChecks.BUDGET), TIMES);
             // bootstraps from host 2, where nobody is: it stays apart until it is told of host 1
             OverlayClient client = OverlayClient.start(NothingFoundChecks.config(dir, 3, null, boot(2),
                     NamespaceChecks.BUDGET))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            p.bindTo(registry);
            Instant t = Instant.now().minusSeconds(30);
            // not waited for: its first put reaches nobody
            p.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond());
            long start = System.nanoTime();
            Eventually.await("the pointer stored twice with no node to take it", Duration.ofSeconds(90),
                    () -> unreached(registry) >= 2);
            say("pointer unreached twice after " + seconds(start) + " s; a peer joins");
            node(client).dht().addBootstrap(List.of(new InetSocketAddress(ip(1), 6881)));
            client.joined().get(60, TimeUnit.SECONDS);
            long joined = System.nanoTime();
            Optional<StorageItem> found = lookUp(node(client).dht(), NamespaceChecks.key(p).publicKey(), "map-a", joined,
                    Duration.ofMillis(200), LOOKED_FOR);
            assertTrue(found.isPresent(), "the pointer was not found within " + LOOKED_FOR + " of a peer joining");
            Pointer pointer = Pointer.of(found.get(), "map-a");
            say("pointer found " + seconds(joined) + " s after the peer joined; peers of its torrent: "
                    + node(client).dht().peers(pointer.infoHash()).get(60, TimeUnit.SECONDS));
            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(p.publicKey())), List.of(ORIGIN.publicKey()),
                    client);
            Object fetched = sources.fetch("/networkmap/map-a");
            say("fetch of map-a: " + describe(fetched));
            assertTrue(fetched instanceof VerifiedDocument d && d.source().toString().startsWith("magnet:?xt=urn:btih:"
                    + HexFormat.of().formatHex(pointer.infoHash())), "the pointer found, its seeder not: " + describe(fetched));
        }
    }

    /**
     * The pointer of {@code resource} by {@code publisher}, looked up from {@code dht} until a
     * lookup finds it or {@code within} has passed since {@code joined} (then empty). A
     * lookup that found nothing is followed by the next after {@code pace}: each is a DHT lookup
     * of its own, which a tighter loop would only repeat, not speed up.
     */
    private static Optional<StorageItem> lookUp(DhtNode dht, byte[] publisher, String resource, long joined, Duration pace,
                                                Duration within) throws Exception {
        while (true) {
            Optional<StorageItem> found = dht.get(publisher, Pointer.salt(resource)).get(60, TimeUnit.SECONDS);
            if (found.isPresent() || System.nanoTime() - joined >= within.toNanos()) {
                return found;
            }
            Thread.sleep(pace.toMillis());
        }
    }

    private static double unreached(SimpleMeterRegistry registry) {
        FunctionCounter c = registry.find("rproxy.overlay.puts").tag("result", "failed").functionCounter();
        return c == null ? 0 : c.count();
    }

    private static long seconds(long since) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }
}
