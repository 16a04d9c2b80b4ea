package org.rproxy.core.origin;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.EntityTags;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * Turns a {@link PreparedDocument} into a signed, ready-to-write {@link Representation}: one
 * RFC 9421 signature per variant, because each variant has its own {@code Content-Digest} and
 * {@code ETag} (RFC 9530 §2: the digest is over the encoded content). The entity tag is new at
 * every signing ({@link EntityTags#ofSigning}). Thread-safe; runs on the
 * origin's publishing thread, never on an event loop.
 */
final class DocumentSigner {
    private final ResponseSigner signer;
    private final Duration validity;
    private final Duration maxAge;

    DocumentSigner(ResponseSigner signer, Duration validity, Duration maxAge) {
        this.signer = requireNonNull(signer, "signer");
        this.validity = requireNonNull(validity, "validity");
        this.maxAge = requireNonNull(maxAge, "maxAge");
    }

    Representation sign(PreparedDocument doc, Instant created) {
        Instant expires = created.plus(validity);
        Variant identity = variant(doc, doc.identity(), doc.identityDigest(), null, created, expires);
        Variant gzip = doc.gzip() == null ? null
                : variant(doc, doc.gzip(), doc.gzipDigest(), "gzip", created, expires);
        return new Representation(identity, gzip, maxAge.toSeconds(), created, expires);
    }

    private Variant variant(PreparedDocument doc, Bytes body, String digest, String encoding,
                            Instant created, Instant expires) {
        String etag = EntityTags.ofSigning(digest, created);
        String resource = doc.resource().toHeader();
        SignatureHeaders sig = signer.sign(doc.contentType(), digest, etag, resource, created, expires);
        List<HeaderField> headers = new ArrayList<>(8);
        headers.add(new HeaderField("content-type", doc.contentType()));
        if (encoding != null) {
            headers.add(new HeaderField("content-encoding", encoding));
        }
        headers.add(new HeaderField("content-digest", digest));
        headers.add(new HeaderField("etag", etag));
        headers.add(new HeaderField("alto-resource", resource));
        headers.add(new HeaderField("signature-input", sig.signatureInput()));
        headers.add(new HeaderField("signature", sig.signature()));
        return new Variant(body, encoding, headers);
    }
}
