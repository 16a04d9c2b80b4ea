package org.rproxy.pull;

import java.time.Instant;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * A representation verified elsewhere (the push feed), and checked again ({@link #verifies}), as
 * the copy {@link CachedCopies#offer} holds: as if an attempt had fetched it now. The identity variant carries the representation's
 * validity; the gzip variant its own signature's, so that {@link CachedCopy#of} leaves out one
 * that runs out first, as from a pulled pair. Stateless.
 */
final class OfferedCopy {

    private OfferedCopy() {
    }

    /**
     * Whether every variant of {@code r} verifies for a GET of {@code target} with
     * {@code verifier}, each under the coding it is held as: what the proxy checks itself before it
     * holds a copy another part verified.
     */
    static boolean verifies(ResponseVerifier verifier, String target, Representation r) {
        return verifies(verifier, target, r.identity()) && (r.gzip() == null || verifies(verifier, target, r.gzip()));
    }

    private static boolean verifies(ResponseVerifier verifier, String target, Variant v) {
        return verifier.verify(name -> name.equals("content-encoding") ? v.contentEncoding() : v.header(name).orElse(null),
                v.body().toArray(), ResponseVerifier.Expectation.path(target)).valid();
    }

    static CachedCopy of(Representation r, String viaEntry, Instant now) {
        return CachedCopy.of(variant(r.identity(), r.created(), r.expires(), r, now, viaEntry), gzip(r, now, viaEntry));
    }

    /**
     * {@code r}'s gzip variant as held, with its own signature's window, or null when it has none
     * or that window cannot be read.
     */
    private static CachedVariant gzip(Representation r, Instant now, String viaEntry) {
        Variant gz = r.gzip();
        SignatureWindow own = gz == null ? null : SignatureWindow.read(name -> gz.header(name).orElse(null));
        return own == null ? null : variant(gz, own.created(), own.expires(), r, now, viaEntry);
    }

    private static CachedVariant variant(Variant v, Instant created, Instant expires, Representation r, Instant now,
                                         String viaEntry) {
        Variant stored = new Variant(v.body(), v.contentEncoding(), HeaderRules.stored(v.headers(), viaEntry));
        // The windows its origin would announce now: it came without a Cache-Control of its own.
        Representation.Windows w = r.windowsAt(now);
        return new CachedVariant(stored, true, created, expires, now, r.maxAgeSeconds(), 0,
                w.staleWhileRevalidate(), w.staleIfError());
    }
}
