package org.rproxy.overlay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions an {@link OverlayPublisher} has in the overlay, per resource: the current one
 * (which its pointer names, and which is seeded) and the previous one (still seeded, for
 * clients half-way through it), when each expires, and the version DHT nodes took. Seeds and
 * announces a new version and moves the pointer to it, drops the version before the previous,
 * and drops a version when its signature expires or its resource is retired; its
 * {@link PublisherMeters} follow, and {@link OlderVersions} says when a version cannot replace
 * a later-signed one (the origin's clock stepped back). Every change runs on the publisher's
 * thread ({@code worker}); the DHT's threads only read.
 */
final class PublishedVersions {
    private static final Logger log = LoggerFactory.getLogger(PublishedVersions.class);
    private static final Duration STEP_WAIT = Duration.ofSeconds(30);

    private final OverlayNode node;
    private final DhtKey key;
    private final Clock clock;
    private final ScheduledExecutorService worker;
    private final Map<String, Pointer> current = new ConcurrentHashMap<>();
    private final Map<String, Pointer> previous = new ConcurrentHashMap<>();
    /** When each version seeded (current or previous) expires. */
    private final Map<Pointer, Instant> expiries = new ConcurrentHashMap<>();
    private final Map<String, Long> stored = new ConcurrentHashMap<>();
    private final PublisherMeters meters = new PublisherMeters();
    private final OlderVersions older = new OlderVersions();

    PublishedVersions(OverlayNode node, DhtKey key, Clock clock, ScheduledExecutorService worker) {
        this.node = node;
        this.key = key;
        this.clock = clock;
        this.worker = worker;
    }

    PublisherMeters meters() {
        return meters;
    }

    /** The current version of {@code resourceId}, or null. */
    Pointer current(String resourceId) {
        return current.get(resourceId);
    }

    /**
     * A version signed at {@code seq} was offered while {@code current}, a later one, is
     * published: it is kept while valid, and {@link OlderVersions} says so once.
     */
    void keptNewer(Pointer current, long seq) {
        older.keptNewer(current, seq, expiries.getOrDefault(current, Instant.MAX));
    }

    /** What is published now: resource id to the version (the pointer's seq) that DHT nodes took. */
    Map<String, Long> published() {
        return new TreeMap<>(stored);
    }

    /**
     * Seeds {@code bundle}, announces it and then moves the pointer of {@code id} to it (once the
     * first announcement is stored, or failed: a reader that finds the pointer finds a peer,
     * where a pointer put at once could land first and a flash crowd's lookups find nobody,
     * {@link SeederWatch}), drops the version before the previous, and has it dropped when it
     * {@code expires}. Waits (on the publisher's thread) for the first announcement and put, one
     * after the other and one resource after the other: DHT nodes throttle a sender that asks
     * too much at once.
     */
    CompletableFuture<Integer> publish(String id, long seq, byte[] bundle, Instant expires) {
        byte[] infoHash = node.swarm().seed(id + ".http", bundle);
        Pointer p = new Pointer(key.publicKey(), id, seq, infoHash, bundle.length);
        expiries.put(p, expires);
        if (!expires.equals(Instant.MAX)) {
            long ms = Math.max(0, Duration.between(clock.instant(), expires).toMillis());
            worker.schedule(() -> expired(p), ms, TimeUnit.MILLISECONDS);
        }
        Pointer held = current.put(id, p);
        // the announcement first: a reader that finds the pointer then finds a peer; renewed by
        // itself only once the pointer names another version (until then the pointer's stores announce it)
        Stored announced = await(node.announce(infoHash, () -> names(current.get(id), infoHash)));
        CompletableFuture<Integer> first = put(p, announced != null && announced.enough());
        await(first);
        Pointer old = held == null ? null : previous.put(id, held);
        if (old != null && !Arrays.equals(old.infoHash(), p.infoHash()) && !Arrays.equals(old.infoHash(), held.infoHash())) {
            unseed(old);
        }
        return first;
    }

    /** Whether {@code p} is a pointer kept alive now (current, unexpired) that names the torrent {@code infoHash}. */
    private boolean names(Pointer p, byte[] infoHash) {
        return p != null && Arrays.equals(p.infoHash(), infoHash) && clock.instant().isBefore(expiries.getOrDefault(p, Instant.MIN));
    }

    /** Stops publishing {@code resourceId}: both versions unseeded, its pointer no longer renewed, its gauges gone. */
    void retire(String resourceId) {
        Pointer c = current.remove(resourceId);
        Pointer p = previous.remove(resourceId);
        stored.remove(resourceId);
        meters.forget(resourceId);
        older.forget(resourceId);
        unseed(c);
        unseed(p);
        node.renewals().prune();
        log.info("overlay: {} retired: {} no longer published", resourceId, c);
    }

    /** When {@code p}'s signature expires: stops publishing it, if still seeded. */
    private void expired(Pointer p) {
        if (current.remove(p.resourceId(), p)) {
            stored.remove(p.resourceId());
            meters.forget(p.resourceId());
            log.info("overlay: {} version {} expired: no longer published", p.resourceId(), p.seq());
        }
        previous.remove(p.resourceId(), p);
        unseed(p);
        node.renewals().prune();
    }

    private void unseed(Pointer p) {
        if (p != null && expiries.remove(p) != null) {
            node.swarm().drop(HexFormat.of().formatHex(p.infoHash()));
        }
    }

    /** What {@code step} completed with, or null when it failed or did not end within {@link #STEP_WAIT}. */
    private static <T> T await(CompletableFuture<T> step) {
        try {
            return step.get(STEP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("overlay: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /**
     * Puts {@code p}, and keeps it alive while it is the current pointer of its resource (see
     * {@link Renewals}); completes with how many DHT nodes took the first put. Every store of the
     * pointer (each try, each renewal, each store after a backoff) announces its torrent just
     * before it, but the first when {@code announced} (the publish's own announcement, made just
     * before, was taken): whenever a reader can find the pointer, it finds the seeder too. Kept
     * apart, the announcement's stores and the pointer's each followed a backoff of their own
     * while no node took them (a publisher started alone), so a peer that joined between the two
     * took the pointer and no announcement, and readers gave the torrent up as seeded by nobody
     * ({@link SeederWatch}) until the announcement's next store, up to two minutes later.
     */
    private CompletableFuture<Integer> put(Pointer p, boolean announced) {
        BooleanSupplier isCurrent = () -> p.equals(current.get(p.resourceId()))
                && clock.instant().isBefore(expiries.getOrDefault(p, Instant.MIN));
        AtomicBoolean announcedJustBefore = new AtomicBoolean(announced);
        Supplier<CompletableFuture<Stored>> step = () -> {
            StorageItem item = p.sign(key); // here, not on mldht's thread that ends the announcement
            CompletableFuture<Stored> before = announcedJustBefore.getAndSet(false)
                    ? CompletableFuture.completedFuture(null) : announce(p);
            // put whatever the announcement's outcome: a pointer refused nowhere is still worth storing
            return before.handle((a, e) -> item).thenCompose(node.dht()::put);
        };
        return node.renewals().keep("putting " + p, step, isCurrent, s -> {
            meters.put(p.resourceId(), p.seq(), s, isCurrent);
            older.putOutcome(p, s);
            if (s.nodes() > 0 && isCurrent.getAsBoolean()) {
                log.debug("overlay: {} stored on {} of the {} closest DHT nodes", p, s.nodes(), s.closest());
                stored.merge(p.resourceId(), p.seq(), Math::max);
                if (!isCurrent.getAsBoolean()) {
                    // retired or expired meanwhile, on the publisher's thread
                    stored.remove(p.resourceId(), p.seq());
                }
            }
        }).thenApply(Stored::nodes);
    }

    /** Announces the torrent of {@code p} once, with a store of its pointer (its own renewals are the node's). */
    private CompletableFuture<Stored> announce(Pointer p) {
        if (!node.swarm().holds(p.infoHash())) {
            return CompletableFuture.completedFuture(null);
        }
        return node.swarm().announce(p.infoHash()).whenComplete((s, e) -> log.debug("overlay: announcing {} with {}: {}",
                HexFormat.of().formatHex(p.infoHash()), p, e == null ? s : e.toString()));
    }
}
