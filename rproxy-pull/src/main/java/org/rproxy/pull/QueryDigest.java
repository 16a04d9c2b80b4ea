package org.rproxy.pull;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ContentDigest;

/**
 * The part of a POST's cache key that stands for its body: SHA-256 of the RFC 8785 canonical
 * form of a JSON body (so that member order and spacing do not split the cache), or of the raw
 * bytes for XML and for a body that does not parse (the upstream will answer that one with an
 * error, which is never cached). Runs on worker threads: it parses and hashes.
 */
final class QueryDigest {

    private QueryDigest() {
    }

    static Bytes of(String contentType, Bytes body) {
        byte[] raw = body.unsafeArray();
        if (contentType != null && (contentType.endsWith("+json") || contentType.equals("application/json"))) {
            try {
                return Bytes.wrap(ContentDigest.sha256Raw(Jcs.canonicalize(raw)));
            } catch (RuntimeException e) {
                // not JSON: keyed by its bytes
            }
        }
        return Bytes.wrap(ContentDigest.sha256Raw(raw));
    }
}
