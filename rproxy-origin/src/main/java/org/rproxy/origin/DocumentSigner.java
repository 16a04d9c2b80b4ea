package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rproxy.core.answer.ResourcePaths;
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
 * every signing ({@link EntityTags#ofSigning}). The directory, which lists the keys, is signed
 * by every private key the origin holds ({@link OriginKeys#directorySigners}): a node that never
 * saw the directory introducing the next key, and trusts only the key before it, still verifies
 * the directory signed after the switch and learns the next key from it (ARCHITECTURE.md §4);
 * every other document is signed once, with the signing key. Thread-safe; runs on the origin's
 * publishing thread, never on an event loop.
 */
final class DocumentSigner {
    private final ResponseSigner signer;
    private final ResponseSigner directorySigner;
    private final Duration validity;
    private final Duration maxAge;

    /** Signs every document, the directory too, with {@code signer} alone. */
    DocumentSigner(ResponseSigner signer, Duration validity, Duration maxAge) {
        this(signer, signer, validity, maxAge);
    }

    /** @param directorySigner what signs the directory ({@link ResourcePaths#DIRECTORY_PATH}) */
    DocumentSigner(ResponseSigner signer, ResponseSigner directorySigner, Duration validity, Duration maxAge) {
        this.signer = requireNonNull(signer, "signer");
        this.directorySigner = requireNonNull(directorySigner, "directorySigner");
        this.validity = requireNonNull(validity, "validity");
        this.maxAge = requireNonNull(maxAge, "maxAge");
    }

    /** Signs with the keys {@code keys} hold: the directory with each private key, the rest with the signing key. */
    static DocumentSigner of(OriginKeys keys, Duration validity, Duration maxAge) {
        return new DocumentSigner(new ResponseSigner(keys.signing()), new ResponseSigner(keys.directorySigners()),
                validity, maxAge);
    }

    /** Signs every document at {@code now}. */
    Map<String, Representation> signAll(Map<String, PreparedDocument> docs, Instant now) {
        return signChanged(docs, Map.of(), Map.of(), now);
    }

    /**
     * Signs at {@code now} the documents whose bytes differ from those in {@code before}, and keeps
     * the signed representation of the others from {@code signedBefore}. With an entity tag per
     * signing, re-signing an unchanged document whenever another one changes would make every
     * cache fetch it again; the periodic re-signing renews them all anyway. Each large body gets
     * its direct copy here, so the front end never makes one on an event loop.
     *
     * @param docs         the documents to serve, by path
     * @param before       the documents served until now, by path
     * @param signedBefore their signed representations, by path
     */
    Map<String, Representation> signChanged(Map<String, PreparedDocument> docs, Map<String, PreparedDocument> before,
                                            Map<String, Representation> signedBefore, Instant now) {
        Map<String, Representation> out = new HashMap<>();
        docs.forEach((path, doc) -> {
            PreparedDocument old = before.get(path);
            Representation kept = old != null && sameBytes(old, doc) ? signedBefore.get(path) : null;
            Representation r = kept != null && now.isBefore(kept.expires()) ? kept : sign(doc, now);
            r.identity().directBody();
            if (r.gzip() != null) {
                r.gzip().directBody();
            }
            out.put(path, r);
        });
        return out;
    }

    private static boolean sameBytes(PreparedDocument a, PreparedDocument b) {
        return a.identityDigest().equals(b.identityDigest()) && Objects.equals(a.gzipDigest(), b.gzipDigest())
                && a.contentType().equals(b.contentType()) && a.resource().equals(b.resource());
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
        ResponseSigner by = doc.resource().path().equals(ResourcePaths.DIRECTORY_PATH) ? directorySigner : signer;
        SignatureHeaders sig = by.sign(doc.contentType(), digest, etag, resource, created, expires);
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
