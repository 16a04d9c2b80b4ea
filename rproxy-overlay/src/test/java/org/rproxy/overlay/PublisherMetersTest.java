package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class PublisherMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PublisherMeters meters = new PublisherMeters();

    private double puts(String result) {
        return registry.get("rproxy.overlay.puts").tag("result", result).functionCounter().count();
    }

    private Double gauge(String name, String resource) {
        var g = registry.find(name).tag("resource", resource).gauge();
        return g == null ? null : g.value();
    }

    @Test
    void putsMadeBeforeBindingShowOnceBoundAndLaterOnesUpdateThem() {
        meters.put("routingcost-map", 100, new Stored(8, 8), () -> true);
        meters.bindTo(registry, () -> 25, () -> 4, () -> 120, () -> 7);
        assertEquals(100, gauge("rproxy.overlay.pointer.created.time", "routingcost-map"));
        assertEquals(8, gauge("rproxy.overlay.pointer.nodes", "routingcost-map"));
        assertEquals(25, registry.get("rproxy.overlay.dht.nodes").gauge().value());
        assertEquals(4, registry.get("rproxy.overlay.torrents").gauge().value());
        assertEquals(120, registry.get("rproxy.overlay.dht.stored.items").gauge().value());
        assertEquals(7, registry.get("rproxy.overlay.dht.stored.peers").gauge().value());

        meters.put("routingcost-map", 130, new Stored(3, 8), () -> true);
        meters.put("default-network-map", 100, new Stored(0, 8), () -> true);
        assertEquals(130, gauge("rproxy.overlay.pointer.created.time", "routingcost-map"));
        assertEquals(3, gauge("rproxy.overlay.pointer.nodes", "routingcost-map"));
        assertEquals(0, gauge("rproxy.overlay.pointer.nodes", "default-network-map"), "a resource first put after binding");
        assertEquals(1, puts("stored"));
        assertEquals(1, puts("short"), "3 of the 8 closest: fewer than half");
        assertEquals(1, puts("failed"));
    }

    @Test
    void aLatePutOfAReplacedPointerIsCountedButDoesNotShowAsTheResources() {
        meters.bindTo(registry, () -> 0, () -> 0, () -> 0, () -> 0);
        meters.put("routingcost-map", 130, new Stored(8, 8), () -> true);
        meters.put("routingcost-map", 100, new Stored(2, 8), () -> false);
        meters.put("hopcount-map", 100, new Stored(8, 8), () -> false);
        assertEquals(130, gauge("rproxy.overlay.pointer.created.time", "routingcost-map"));
        assertEquals(8, gauge("rproxy.overlay.pointer.nodes", "routingcost-map"));
        assertNull(gauge("rproxy.overlay.pointer.nodes", "hopcount-map"));
        assertEquals(2, puts("stored"));
        assertEquals(1, puts("short"));
    }

    @Test
    void aResourceNoLongerPublishedHasItsGaugesRemovedAndMayComeBack() {
        meters.put("hopcount-map", 90, new Stored(5, 8), () -> true);
        meters.forget("hopcount-map");
        meters.put("routingcost-map", 100, new Stored(8, 8), () -> true);
        meters.bindTo(registry, () -> 0, () -> 0, () -> 0, () -> 0);
        assertNull(gauge("rproxy.overlay.pointer.created.time", "hopcount-map"), "forgotten before binding");
        meters.put("default-network-map", 100, new Stored(8, 8), () -> true);

        meters.forget("routingcost-map");
        meters.forget("default-network-map");
        assertNull(gauge("rproxy.overlay.pointer.created.time", "routingcost-map"), "a retired resource's gauge stays");
        assertNull(gauge("rproxy.overlay.pointer.nodes", "routingcost-map"));
        assertNull(gauge("rproxy.overlay.pointer.nodes", "default-network-map"));
        assertEquals(3, puts("stored"), "the counters keep what was done");

        meters.put("routingcost-map", 160, new Stored(4, 8), () -> false);
        assertNull(gauge("rproxy.overlay.pointer.nodes", "routingcost-map"), "a late put of the retired pointer");
        meters.put("routingcost-map", 200, new Stored(6, 8), () -> true);
        assertEquals(200, gauge("rproxy.overlay.pointer.created.time", "routingcost-map"), "published again");
        assertEquals(6, gauge("rproxy.overlay.pointer.nodes", "routingcost-map"));
    }

    @Test
    void bindingTwiceIsRefused() {
        meters.bindTo(registry, () -> 0, () -> 0, () -> 0, () -> 0);
        assertThrows(IllegalStateException.class, () -> meters.bindTo(new SimpleMeterRegistry(), () -> 0, () -> 0, () -> 0, () -> 0));
    }
}
