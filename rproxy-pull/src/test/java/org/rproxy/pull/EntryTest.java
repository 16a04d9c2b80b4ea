package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Variant;
import org.rproxy.core.model.Bytes;

class EntryTest {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    static CachedCopy copy(String body) {
        Variant v = new Variant(Bytes.utf8(body), null, List.of(new HeaderField("content-type", "application/json")));
        return CachedCopy.of(new CachedVariant(v, false, T0, T0.plusSeconds(60), T0, 60, 0, 0, 0), null);
    }

    /** Holds a copy with a body of its own, served once (stamped), and hands back only a weak reference to the body. */
    static WeakReference<Bytes> heldAndServed(Entry e) {
        CachedCopy h = copy("x".repeat(100_000));
        e.hold(h);
        assertNotNull(e.stamped(h, T0));
        return new WeakReference<>(h.identity().variant().body());
    }

    @Test
    void aReplacedCopyIsNotKeptReachableByItsLastStamp() throws Exception {
        // a map kept fresh for an update stream or local answers, refreshed and not asked for since:
        // the body it replaced must go (it is outside --max-bytes once the store let it go)
        Entry e = new Entry(CacheKey.get("/networkmap/n"), UpstreamCall.PLAIN_GET, true, T0);
        WeakReference<Bytes> old = heldAndServed(e);
        e.hold(copy("{}"));
        for (int i = 0; i < 100 && old.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(old.get(), "the replaced body is still reachable from the entry");
    }
}
