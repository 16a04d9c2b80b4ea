package org.rproxy.pull;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ContentDigest;

/**
 * The part of a POST's cache key that stands for its body: SHA-256 of its {@link #form}, the RFC
 * 8785 canonical form of a JSON body (so that member order and spacing do not split the cache),
 * or the raw bytes for XML and for a body that does not parse (the upstream will answer that one
 * with an error, which is never cached). The form is also what goes upstream: every request for
 * a key asks the upstream the same bytes, whichever of them came first. Runs on worker threads:
 * it parses and hashes.
 */
final class QueryDigest {

    private QueryDigest() {
    }

    /** The digest of {@code body}'s {@link #form}. */
    static Bytes of(String contentType, Bytes body) {
        return digest(form(contentType, body));
    }

    /** SHA-256 of a body already in its {@link #form}. */
    static Bytes digest(Bytes form) {
        return Bytes.wrap(ContentDigest.sha256Raw(form.unsafeArray()));
    }

    /**
     * The bytes a POST of {@code body} is keyed on and forwarded as: canonical JSON for a JSON
     * media type whose body parses as I-JSON, else {@code body} itself.
     */
    static Bytes form(String contentType, Bytes body) {
        if (contentType != null && (contentType.endsWith("+json") || contentType.equals("application/json"))) {
            try {
                return Bytes.wrap(Jcs.canonicalize(body.unsafeArray()));
            } catch (RuntimeException e) {
                // not JSON: keyed by its bytes
            }
        }
        return body;
    }
}
