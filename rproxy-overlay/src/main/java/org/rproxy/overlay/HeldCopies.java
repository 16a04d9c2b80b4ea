package org.rproxy.overlay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.SignatureWindow;

/**
 * What an {@link OverlayClient} peer seeds of the documents its client holds, however it got them
 * (a proxy, the origin, an update stream): each becomes the bundle a publisher makes of the same
 * version (the signed fields and body, named {@code <resource id>.http}), so its torrent has the
 * infohash the publisher's pointer names, and readers that find the pointer find this peer too,
 * after the publisher has gone. Only the newest version of each resource is seeded (the one
 * before is dropped), at most {@link #MAX_RESOURCES} resources and {@code max-bundle} bytes
 * each; announcements are the node's renewals, as for a bundle fetched from the overlay. Nothing
 * with {@code seeding: false}. A version whose signature has expired, by the peer's clock, is
 * dropped (checked every {@link #SWEEP}), from what this seeds and from what the client took from
 * the overlay alike, and its announcements end with it, as a publisher drops an expired version:
 * readers would refuse it, and a peer announcing it made them spend their fetches on it. The
 * client's thread only queues (at most {@link #MAX_QUEUED}); files, hashing, announcing and the
 * expiry checks run on the {@code rproxy-overlay-held} thread. Thread-safe.
 */
final class HeldCopies implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeldCopies.class);
    /** How many resources a peer seeds of what it holds (a directory lists a few maps). */
    static final int MAX_RESOURCES = 64;
    /** Documents waiting to be seeded; more are left out (a later version will come). */
    static final int MAX_QUEUED = 16;
    /** How often expired versions are looked for. */
    static final Duration SWEEP = Duration.ofSeconds(5);
    /** How long {@link #close} waits for a document being seeded. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final OverlayNode node;
    /** The client's bundle kept (and seeded) per resource id: the one this seeds is recorded there. */
    private final Map<String, OverlayClient.Kept> kept;
    /** Drops a torrent unless it is kept for some resource. */
    private final Consumer<String> dropUnlessKept;
    private final Clock clock;
    private final ScheduledExecutorService worker;
    /** Documents queued and not started yet: at most {@link #MAX_QUEUED}. */
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param kept           the client's bundle kept per resource id, shared with the {@link OverlayClient}
     * @param dropUnlessKept drops a torrent (hex infohash) unless it is kept for some resource
     * @param clock          what expiry is judged by
     */
    HeldCopies(OverlayNode node, Map<String, OverlayClient.Kept> kept, Consumer<String> dropUnlessKept, Clock clock) {
        this.node = node;
        this.kept = kept;
        this.dropUnlessKept = dropUnlessKept;
        this.clock = clock;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rproxy-overlay-held");
            t.setDaemon(true);
            return t;
        });
        worker.scheduleWithFixedDelay(this::dropExpired, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Queues {@code bundle}, verified and taken by the client, to be seeded; returns at once. */
    void held(SignedBundle bundle) {
        if (!node.config().seeding() || worker.isShutdown()) {
            return;
        }
        if (waiting.incrementAndGet() > MAX_QUEUED) {
            waiting.decrementAndGet();
            log.debug("overlay: {} held documents waiting to be seeded; one more left out", MAX_QUEUED);
            return;
        }
        try {
            worker.execute(() -> {
                waiting.decrementAndGet();
                try {
                    seed(bundle);
                } catch (RuntimeException e) {
                    if (worker.isShutdown()) {
                        log.debug("overlay: not seeding a document held: the peer closed ({})", e.toString());
                    } else {
                        log.warn("overlay: not seeding a document held: {}", e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet(); // closed meanwhile
        }
    }

    /**
     * Drops every version kept whose signature has expired by the clock: no longer seeded nor
     * announced (its renewals end with the torrent), nor offered again without a transfer.
     */
    void dropExpired() {
        try {
            Instant now = clock.instant();
            for (Map.Entry<String, OverlayClient.Kept> e : kept.entrySet()) {
                OverlayClient.Kept k = e.getValue();
                SignatureWindow w = SignatureWindow.read(k.bundle()::field);
                if (w != null && !now.isBefore(w.expires()) && kept.remove(e.getKey(), k)) {
                    dropUnlessKept.accept(k.infoHash());
                    node.renewals().prune();
                    log.info("overlay: {} version {} held expired at {}: no longer seeded", e.getKey(),
                            w.created().getEpochSecond(), w.expires());
                }
            }
        } catch (RuntimeException e) { // a periodic task that throws is dropped by its executor, for good
            log.warn("overlay: the expiry of the versions held could not be checked: {}", e.toString());
        }
    }

    private void seed(SignedBundle held) {
        SignedBundle bundle = OverlayPublisher.bundle(held.fields(), held.body().unsafeArray());
        String id = resourceId(bundle);
        SignatureWindow window = id == null ? null : SignatureWindow.read(bundle::field);
        if (window == null || !clock.instant().isBefore(window.expires())) {
            return; // not one the overlay names, or expired already (taken just before its expiry)
        }
        long seq = window.created().getEpochSecond();
        long seeded = seq(kept.get(id));
        if (seeded >= seq) {
            return; // this version (fetched from the overlay, say) or a newer one is seeded already
        }
        if (seeded < 0 && kept.size() >= MAX_RESOURCES) {
            log.debug("overlay: not seeding {}: {} resources seeded already", id, MAX_RESOURCES);
            return;
        }
        byte[] bytes = bundle.toBytes();
        if (bytes.length > node.config().maxBundle().bytes()) {
            log.debug("overlay: not seeding {}: {} bytes, over max-bundle", id, bytes.length);
            return;
        }
        byte[] infoHash = node.swarm().seed(id + ".http", bytes);
        String hex = HexFormat.of().formatHex(infoHash);
        OverlayClient.Kept mine = new OverlayClient.Kept(hex, bundle);
        OverlayClient.Kept[] replaced = new OverlayClient.Kept[1];
        // a newer version the client took from the overlay meanwhile (OverlayClient.accepted) stays
        OverlayClient.Kept now = kept.compute(id, (k, old) -> {
            if (seq(old) >= seq) {
                return old;
            }
            replaced[0] = old;
            return mine;
        });
        if (now != mine) {
            dropUnlessKept.accept(hex);
            return;
        }
        if (replaced[0] != null && !replaced[0].infoHash().equals(hex)) {
            dropUnlessKept.accept(replaced[0].infoHash()); // the version before stops being seeded
        }
        node.announce(infoHash).thenAccept(s -> log.debug("overlay: seeding {} version {} held: announced to {}", id,
                seq, s));
    }

    /** The {@code created} (seconds) of the bundle {@code k} keeps, or -1 for none. */
    private static long seq(OverlayClient.Kept k) {
        SignatureWindow w = k == null ? null : SignatureWindow.read(k.bundle()::field);
        return w == null ? -1 : w.created().getEpochSecond();
    }

    /**
     * The resource id a publisher names {@code bundle} by, or null for what the overlay leaves out
     * (as {@link OfferedCopies#resourceId}): no {@code alto-resource}, a content coding, the XML
     * dialect, a query's answer, or an id too long for a salt.
     */
    static String resourceId(SignedBundle bundle) {
        String type = bundle.field("content-type");
        String header = bundle.field(AltoResource.HEADER);
        if (type == null || header == null || bundle.field("content-encoding") != null
                || !OverlayPublisher.altoJson(type.toLowerCase(Locale.ROOT))) {
            return null;
        }
        AltoResource resource;
        try {
            resource = AltoResource.parse(header);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return resource.inputDigest() != null || Pointer.salt(resource.id()).length > Pointer.MAX_SALT
                ? null : resource.id();
    }

    /**
     * Stops seeding what the client takes, and waits a moment ({@link #CLOSE_WAIT} at most) for a
     * document being seeded now: the swarm closes next, and refuses it then.
     */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
