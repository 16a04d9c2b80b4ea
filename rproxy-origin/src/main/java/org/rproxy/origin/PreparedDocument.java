package org.rproxy.origin;

import static java.util.Objects.requireNonNull;


import org.rproxy.core.codec.Gzip;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;

/**
 * One document the origin serves, with the work that does not depend on the signing time done
 * once: the gzip variant and both digests. Re-signing a document (to renew its validity) then
 * costs two signatures and two small hashes (the entity tags, new at every signing: see
 * {@link org.rproxy.core.sign.EntityTags}), and no hashing of the body or compression.
 *
 * @param resource     what the bytes answer ({@code alto-resource})
 * @param contentType  media type
 * @param identity     the canonical bytes
 * @param identityDigest {@code Content-Digest} of {@code identity}
 * @param gzip         gzip of {@code identity}, or null when compression does not pay
 * @param gzipDigest   {@code Content-Digest} of {@code gzip}, or null
 */
record PreparedDocument(AltoResource resource, String contentType, Bytes identity, String identityDigest,
                        Bytes gzip, String gzipDigest) {

    /** Bodies smaller than this are not worth a gzip variant. */
    static final int GZIP_MIN_BYTES = 1024;

    PreparedDocument {
        requireNonNull(resource, "resource");
        requireNonNull(contentType, "contentType");
        requireNonNull(identity, "identity");
        requireNonNull(identityDigest, "identityDigest");
    }

    static PreparedDocument of(AltoResource resource, String contentType, Bytes body) {
        String digest = ContentDigest.sha256(body.unsafeArray());
        Bytes gz = body.length() >= GZIP_MIN_BYTES ? Gzip.deterministic(body) : null;
        if (gz != null && gz.length() >= body.length()) {
            gz = null;
        }
        return new PreparedDocument(resource, contentType, body, digest, gz,
                gz == null ? null : ContentDigest.sha256(gz.unsafeArray()));
    }
}
