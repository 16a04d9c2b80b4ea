package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What an {@link OverlayPublisher} did, as meters (Micrometer; Prometheus names in brackets):
 * for each resource published, the version its pointer names
 * ({@code rproxy_overlay_pointer_created_time_seconds{resource}}, the origin's {@code created},
 * so {@code time() - it} is the age of what the overlay offers) and how many DHT nodes took the
 * last put of that pointer ({@code rproxy_overlay_pointer_nodes{resource}}: 0 means no reader
 * finds it); every put by outcome ({@code rproxy_overlay_puts_total{result}}: {@code stored} on
 * at least half the closest nodes, {@code short} on fewer after every try, {@code failed} on
 * none); the nodes in this node's DHT routing table ({@code rproxy_overlay_dht_nodes}: 0 means
 * it reaches nobody); the torrents it serves ({@code rproxy_overlay_torrents}); and what its DHT
 * node stores for others, BEP 44 items ({@code rproxy_overlay_dht_stored_items}) and BEP 5 peer
 * entries ({@code rproxy_overlay_dht_stored_peers}), each bounded (see {@link StoreLimits}).
 *
 * <p>In a proxy a resource is a document of the origin's directory (it publishes only what it
 * verified as the origin's), so the {@code resource} label takes a bounded set of values; code
 * that publishes bundles it was handed ({@link OverlayPublisher#publish(org.rproxy.core.bundle.SignedBundle,
 * long)}) bounds them itself. Records before
 * {@link #bindTo} are kept and shown once bound. A resource no longer published (retired, or
 * expired) has its gauges removed ({@link #forget}), not left at their last values. Thread-safe.
 */
final class PublisherMeters {
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong shortOf = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Guarded by this. */
    private final Map<String, Pointed> pointers = new HashMap<>();
    /** Guarded by this. */
    private MeterRegistry registry;

    /** The version a resource's current pointer names, and how many nodes took its last put. */
    private static final class Pointed {
        volatile long created;
        volatile int nodes;
        /** Its gauges, once registered (guarded by the meters' lock). */
        List<Meter> meters = List.of();
    }

    /**
     * Registers the meters on {@code registry}, reading {@code dhtNodes}, {@code torrents},
     * {@code storedItems} and {@code storedPeers} when scraped.
     *
     * @throws IllegalStateException when bound already
     */
    synchronized void bindTo(MeterRegistry registry, IntSupplier dhtNodes, IntSupplier torrents,
                             IntSupplier storedItems, IntSupplier storedPeers) {
        requireNonNull(registry, "registry");
        if (this.registry != null) {
            throw new IllegalStateException("the overlay publisher's meters are bound already");
        }
        this.registry = registry;
        counter(registry, "stored", stored);
        counter(registry, "short", shortOf);
        counter(registry, "failed", failed);
        Gauge.builder("rproxy.overlay.dht.nodes", dhtNodes, IntSupplier::getAsInt)
                .description("Nodes in this node's DHT routing table (0: it reaches nobody)").strongReference(true)
                .register(registry);
        Gauge.builder("rproxy.overlay.torrents", torrents, IntSupplier::getAsInt)
                .description("Torrents this node serves (the current and the previous version of each resource)")
                .strongReference(true).register(registry);
        Gauge.builder("rproxy.overlay.dht.stored.items", storedItems, IntSupplier::getAsInt)
                .description("BEP 44 items this node's DHT node stores (bounded)").strongReference(true)
                .register(registry);
        Gauge.builder("rproxy.overlay.dht.stored.peers", storedPeers, IntSupplier::getAsInt)
                .description("BEP 5 peer entries this node's DHT node counts as stored for others (bounded)")
                .strongReference(true).register(registry);
        pointers.forEach((id, p) -> register(registry, id, p));
    }

    private static void counter(MeterRegistry registry, String result, AtomicLong n) {
        FunctionCounter.builder("rproxy.overlay.puts", n, AtomicLong::get).tag("result", result)
                .description("Pointer puts into the DHT by outcome").register(registry);
    }

    private static void register(MeterRegistry registry, String id, Pointed p) {
        p.meters = List.of(
                Gauge.builder("rproxy.overlay.pointer.created.time", p, q -> q.created).baseUnit("seconds").tag("resource", id)
                        .description("The origin's created time of the version the resource's pointer names")
                        .strongReference(true).register(registry),
                Gauge.builder("rproxy.overlay.pointer.nodes", p, q -> q.nodes).tag("resource", id)
                        .description("DHT nodes seen to hold the last put of the resource's pointer").strongReference(true)
                        .register(registry));
    }

    /**
     * Records a put of version {@code seq} of {@code resourceId}'s pointer that ended as
     * {@code outcome}; {@code current} says whether that version is still the one published
     * (a late put of a replaced or {@link #forget forgotten} pointer is counted, and does not
     * show as the resource's). {@code current} is asked under the same lock as {@link #forget},
     * so a put that ends while its resource is retired cannot bring the resource's gauges back.
     */
    void put(String resourceId, long seq, Stored outcome, BooleanSupplier current) {
        (outcome.enough() ? stored : outcome.nodes() > 0 ? shortOf : failed).incrementAndGet();
        synchronized (this) {
            if (!current.getAsBoolean()) {
                return;
            }
            Pointed p = pointers.get(resourceId);
            if (p == null) {
                p = new Pointed();
                pointers.put(resourceId, p);
                if (registry != null) {
                    register(registry, resourceId, p);
                }
            }
            p.created = seq;
            p.nodes = outcome.nodes();
        }
    }

    /**
     * {@code resourceId} is no longer published (retired, or its version expired): its gauges are
     * removed, so that a scrape no longer shows what the overlay stopped offering and the
     * {@code resource} label keeps only the resources published now. The caller has stopped
     * taking it as current before calling.
     */
    synchronized void forget(String resourceId) {
        Pointed p = pointers.remove(resourceId);
        if (p != null && registry != null) {
            p.meters.forEach(registry::remove);
        }
    }
}
