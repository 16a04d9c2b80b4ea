package org.rproxy.pull;

import java.time.Instant;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * A {@link VerifiedRepresentation} verified outside the pull feed (a {@link SignedBundle}'s, the
 * push feed's, or one {@link PullProxy#offer(String, Representation)} made), as the copy
 * {@link CachedCopies#offer} holds: as if an attempt had fetched it now. The identity variant carries the representation's validity; the gzip variant its
 * own signature's, so that {@link CachedCopy#of} leaves out one that runs out first, as from a
 * pulled pair. Stateless.
 */
final class OfferedCopy {

    private OfferedCopy() {
    }

    /** {@code copy} as held, its identity variant with {@code copy} itself, to hand on as verified. */
    static CachedCopy of(VerifiedRepresentation copy, String viaEntry, Instant now) {
        Representation r = copy.representation();
        return CachedCopy.of(variant(r.identity(), r.created(), r.expires(), r, now, viaEntry, copy),
                gzip(copy, now, viaEntry));
    }

    /**
     * {@code copy}'s gzip variant as held, with the window of the signature verified in it
     * ({@link VerifiedRepresentation#gzipWindow}), or null when it has none. Not the window its
     * {@code Signature-Input} names: a signature a hop added beside the origin's names another, and
     * the variant was dropped for it.
     */
    private static CachedVariant gzip(VerifiedRepresentation copy, Instant now, String viaEntry) {
        Representation r = copy.representation();
        SignatureWindow own = copy.gzipWindow();
        return r.gzip() == null || own == null ? null
                : variant(r.gzip(), own.created(), own.expires(), r, now, viaEntry, null);
    }

    private static CachedVariant variant(Variant v, Instant created, Instant expires, Representation r, Instant now,
                                         String viaEntry, VerifiedRepresentation verified) {
        Variant stored = new Variant(v.body(), v.contentEncoding(), HeaderRules.stored(v.headers(), viaEntry));
        // The windows its origin would announce now (none when it must be revalidated once stale,
        // as the response a bundle was kept from may say: kept, and passed on).
        Representation.Windows w = r.windowsAt(now);
        return new CachedVariant(stored, true, created, expires, now, r.maxAgeSeconds(), 0,
                w.staleWhileRevalidate(), w.staleIfError(), r.revalidation(), verified);
    }
}
