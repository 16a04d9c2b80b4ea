package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.SignatureEvent;

/**
 * Publishes what an RProxy holds into the overlay (the PUSH scheme): each verified version of a
 * document becomes a signed bundle, seeded as a BitTorrent torrent, and this publisher's BEP 44
 * pointer for the resource (salt = resource id, seq = the origin's {@code created} seconds) is
 * moved to it. The pointer is signed with the publisher's own DHT key, which says only whose
 * pointer it is; clients trust a bundle only when the origin's signature inside it verifies.
 * The current and the previous version of each resource stay seeded (a client may be half-way
 * through the previous one); older ones are dropped. Each pointer (while it is current) and
 * each announcement (while its torrent is seeded) is kept alive by the node's {@link Renewals}:
 * stored again after 10 s and a minute, and then every {@code republish} (sooner while no DHT
 * node took it), each store of a pointer announcing its torrent just before it, so that a reader
 * that finds the pointer finds the seeder too. A version is dropped,
 * and its pointer no longer renewed, when its signature expires; a resource the upstream no
 * longer has ({@link #gone}) is {@link #retire}d, both versions dropped (DHT nodes forget its
 * pointer within about two hours). A version signed at an earlier {@code created} than the one
 * published (the origin's clock stepped back) cannot move the pointer back: it waits while the
 * later one is valid, and DHT nodes refuse its lower seq until they forget theirs; the publisher
 * says so once ({@link OlderVersions}).
 *
 * <p>Nothing is published on the caller's word: {@link #offer(VerifiedRepresentation)} takes a
 * copy a verifier made, {@link #offer(String, Representation, ResponseVerifier)} verifies what it
 * is given. {@link #offer} is called on the holder's thread and only queues; the work (bundling,
 * hashing, DHT puts) runs on the {@code rproxy-overlay-publisher} thread. Thread-safe.
 */
public final class OverlayPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OverlayPublisher.class);

    private final OverlayNode node;
    private final DhtKey key;
    private final Clock clock;
    private final ScheduledExecutorService worker;
    private final PublishedVersions versions;
    /** The resource id of each target offered and published, for {@link #gone}. */
    private final Map<String, String> ids = new ConcurrentHashMap<>();

    private OverlayPublisher(OverlayNode node, DhtKey key, Clock clock) {
        this.node = node;
        this.key = key;
        this.clock = clock;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rproxy-overlay-publisher");
            t.setDaemon(true);
            return t;
        });
        this.versions = new PublishedVersions(node, key, clock, worker);
    }

    /**
     * Joins the overlay as {@code config} says and publishes with its key.
     *
     * @throws IllegalArgumentException when {@code config} names no key, or the key file is unusable
     *                                  or other users may read it ({@code "key: FILE: mode 0644 lets other users read ..."}),
     *                                  or the DHT's or the swarm's port cannot be listened on
     *                                  ({@code "dht-port: cannot listen on HOST:PORT (UDP): address already in use"},
     *                                  likewise {@code bt-port})
     * @throws java.io.UncheckedIOException when the {@code storage} directories cannot be made, or the
     *                                  DHT node's socket could not be opened
     */
    public static OverlayPublisher start(OverlayConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(OverlayConfig)}, telling expiry by {@code clock}. */
    public static OverlayPublisher start(OverlayConfig config, Clock clock) {
        return start(config, clock, RenewalTimes.DEFAULT);
    }

    /** As {@link #start(OverlayConfig)}, its pointers and announcements kept by {@code times}: for tests. */
    static OverlayPublisher start(OverlayConfig config, RenewalTimes times) {
        return start(config, Clock.systemUTC(), times);
    }

    private static OverlayPublisher start(OverlayConfig config, Clock clock, RenewalTimes times) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        if (config.key() == null) {
            throw new IllegalArgumentException("key: missing (a publisher signs its pointers with its own Ed25519 key)");
        }
        DhtKey key = DhtKey.read(config.key());
        PrivateKeyFiles.checked(config.key(), "key"); // kept private, as the origin's key and the TLS keys
        OverlayPublisher p = new OverlayPublisher(OverlayNode.start(config, times), key, clock);
        log.info("overlay publisher key {} (name it in the origin's --overlay-publisher and client peers' publishers)",
                p.publicKey());
        return p;
    }

    /**
     * Completes when this publisher's DHT node has joined (a few nodes answered it, or one did and
     * 3 s passed), as {@link OverlayClient#joined()}: a pointer put before then reaches no other
     * node, and is stored again with backoff until one takes it. A copy: cancelling it cancels
     * nothing else.
     */
    public CompletableFuture<Void> joined() {
        return node.dht().joined();
    }

    /** This publisher's DHT public key in hex, as the origin's directory lists it. */
    public String publicKey() {
        return HexFormat.of().formatHex(key.publicKey());
    }

    /**
     * Publishes {@code copy}, a signed document verified for a GET of its target, as version
     * {@code created} of its resource (seconds; the identity signature's, as its validity is),
     * unless a version as new is published already; documents without a resource id,
     * content-coded variants and the XML dialect's documents ({@link #altoJson}) are left out.
     * Returns at once.
     */
    public void offer(VerifiedRepresentation copy) {
        requireNonNull(copy, "copy");
        worker.execute(() -> guarded(copy.target(), () -> publish(copy.target(), copy.representation())));
    }

    /**
     * As {@link #offer(VerifiedRepresentation)}, once {@code copy}'s identity variant verified for a
     * GET of {@code target} with {@code verifier} (a proxy's own, which verified it before holding
     * it), on the publisher's thread, so the holder's thread does not pay for it: a
     * {@link Representation} is anyone's to build, and a version seeded on the caller's word (bytes
     * that do not verify, or a {@code created} or {@code expires} its signature does not say, which
     * would move the pointer's seq and its renewals) wastes the overlay and can shadow a good one. A
     * copy refused is said in a warning and published not at all; the version already published
     * offered again (a revalidation) is not verified again. Returns at once.
     */
    public void offer(String target, Representation copy, ResponseVerifier verifier) {
        requireNonNull(target, "target");
        requireNonNull(copy, "copy");
        requireNonNull(verifier, "verifier");
        worker.execute(() -> guarded(target, () -> {
            if (!OfferedCopies.publishesNothing(copy, versions::current)) {
                Representation v = OfferedCopies.verified(verifier, target, copy);
                if (v != null) {
                    publish(target, v);
                }
            }
        }));
    }

    private static void guarded(String target, Runnable publishing) {
        try {
            publishing.run();
        } catch (RuntimeException e) {
            log.warn("overlay: publishing {} failed: {}", target, e.toString());
        }
    }

    /**
     * Publishes {@code bundle} as it is, as version {@code seq} of the resource it names, without
     * verifying it: for a node that republishes bundles it was handed (clients verify every
     * bundle they take, so a bad one harms nobody but its publisher's reputation). Completes with
     * the number of DHT nodes that stored the pointer.
     *
     * @throws IllegalArgumentException when {@code seq} is not the bundle's {@code created}
     *                                  (seconds), which a pointer's seq is by definition: clients
     *                                  refuse such a pointer
     */
    public CompletableFuture<Integer> publish(SignedBundle bundle, long seq) {
        requireNonNull(bundle, "bundle");
        String header = bundle.field(AltoResource.HEADER);
        if (header == null) {
            throw new IllegalArgumentException("bundle: no " + AltoResource.HEADER + " field (expected: a resource id)");
        }
        String id = AltoResource.parse(header).id();
        SignatureWindow window = SignatureWindow.read(bundle::field);
        if (window == null || window.created().getEpochSecond() != seq) {
            throw new IllegalArgumentException("seq: " + seq + " (expected: the bundle's created, "
                    + (window == null ? "which it lacks" : window.created().getEpochSecond()) + ")");
        }
        Instant expires = window.expires();
        return CompletableFuture.supplyAsync(() -> versions.publish(id, seq, bundle.toBytes(), expires), worker)
                .thenCompose(f -> f);
    }

    /** The upstream no longer has {@code target} (a pull feed's gone listener): {@link #retire}s its resource, if published. */
    public void gone(String target) {
        String id = ids.remove(requireNonNull(target, "target"));
        if (id != null) {
            retire(id);
        }
    }

    /** Stops publishing {@code resourceId} (both versions unseeded, its pointer no longer renewed); returns at once. */
    public void retire(String resourceId) {
        requireNonNull(resourceId, "resourceId");
        worker.execute(() -> versions.retire(resourceId));
    }

    /**
     * Registers this publisher's meters on {@code registry} (a proxy's, so that its
     * {@code /metrics} page shows them): the version each resource's pointer names and how many
     * DHT nodes took it, puts by outcome, the DHT nodes this node knows, the torrents it
     * serves and what its DHT node stores for others (see the metrics table of docs/operations.md). Once
     * per publisher.
     *
     * @throws IllegalStateException when bound already
     */
    public void bindTo(MeterRegistry registry) {
        versions.meters().bindTo(registry, node.dht()::knownNodes, node.swarm()::torrents, node.dht()::storedItems,
                node.dht()::storedPeers);
    }

    /** What is published now: resource id to the version (the pointer's seq) that DHT nodes took. */
    public Map<String, Long> published() {
        return versions.published();
    }

    /** Publishes {@code r}, whose {@code created} and {@code expires} its verified signature says. */
    private void publish(String target, Representation r) {
        String id = OfferedCopies.resourceId(r);
        if (id == null) {
            return;
        }
        long seq = r.created().getEpochSecond();
        Pointer held = versions.current(id);
        if (!r.expires().isAfter(clock.instant())) {
            return;
        }
        if (held != null && held.seq() >= seq) {
            if (held.seq() > seq) {
                versions.keptNewer(held, seq);
            }
            return;
        }
        ids.put(target, id);
        versions.publish(id, seq, bundle(r).toBytes(), r.expires());
    }

    /**
     * Whether a document of {@code contentType} is what the overlay names by its resource id:
     * the RFC 7285 (JSON) document the directory lists. The XML dialect's view of the same
     * resource ({@code /prop/pid} for a network map) carries the same resource id and
     * {@code created}, and a pointer to it would be refused by every client that asked for the
     * directory's URI (its signature names another path).
     */
    static boolean altoJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("application/alto-") && type.endsWith("+json");
    }

    /**
     * {@link #bundle(List, byte[])} of a held representation's identity variant, with only the
     * signatures over the window it verified with ({@link SignedBundle#signedOver}).
     */
    static SignedBundle bundle(Representation r) {
        return bundle(r.identity().headers(), r.identity().body().unsafeArray())
                .signedOver(new SignatureWindow(r.created(), r.expires()));
    }

    /**
     * The bundle of a signed document: exactly the fields the origin signed and its signature's
     * ({@link SignatureEvent#FIELDS}) and the body, nothing a copy was held with besides (a pull
     * proxy's {@code vary}): every publisher and every peer holding a version makes the same
     * bytes, so the same torrent, the one the pointer names ({@link HeldCopies}), whichever way
     * it got the version.
     */
    static SignedBundle bundle(List<HeaderField> headers, byte[] body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (HeaderField f : headers) {
            if (SignatureEvent.FIELDS.contains(f.name().toLowerCase(java.util.Locale.ROOT))) {
                fields.computeIfAbsent(f.name(), n -> new java.util.ArrayList<>()).add(f.value());
            }
        }
        return SignedBundle.of(fields, body);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        node.close();
    }
}
