package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs ALTO responses at the origin (ARCHITECTURE.md §4, the trust model): an RFC 9421 signature labelled {@code alto}
 * over {@code content-type}, {@code content-digest}, {@code etag} and {@code alto-resource}, with
 * parameters {@code created}, {@code expires}, {@code keyid}, {@code alg} and
 * {@code tag="alto-redist"}, in that order. The caller computes the content digest (with
 * {@link ContentDigest#sha256}) so that a 5 MB body is hashed once, and re-signing for a 304
 * freshening needs no body at all. Thread-safe: the origin signs from several threads.
 */
public final class ResponseSigner {
    private final SigningKey key;

    public ResponseSigner(SigningKey key) {
        this.key = requireNonNull(key, "key");
    }

    /**
     * The signature headers for a response carrying these four field values.
     *
     * @param created when the signature starts to count; sub-second precision is dropped
     * @param expires when it stops; must be after {@code created}
     * @throws IllegalArgumentException when a value could not appear in a header field, or the
     *                                  validity period is empty
     */
    public SignatureHeaders sign(String contentType, String contentDigest, String etag, String altoResource,
                                 Instant created, Instant expires) {
        requireNonNull(contentType, "contentType");
        requireNonNull(contentDigest, "contentDigest");
        requireNonNull(etag, "etag");
        requireNonNull(altoResource, "altoResource");
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
        long c = created.getEpochSecond();
        long e = expires.getEpochSecond();
        if (c < 0) {
            throw new IllegalArgumentException("created: " + created + " (expected: after 1970)");
        }
        if (e <= c) {
            throw new IllegalArgumentException("expires: " + expires + " (expected: after created " + created + ")");
        }
        if (e > StructuredFields.MAX_INTEGER) {
            throw new IllegalArgumentException("expires: " + expires + " (expected: at most "
                    + StructuredFields.MAX_INTEGER + " seconds after 1970, the largest sf-integer)");
        }
        String params = SignatureBase.serializeParams(SignatureHeaders.COVERED, params(c, e));
        SignatureBase base = SignatureBase.of(List.of(
                new SignatureBase.Component(SignatureHeaders.CONTENT_TYPE, contentType),
                new SignatureBase.Component(SignatureHeaders.CONTENT_DIGEST, contentDigest),
                new SignatureBase.Component(SignatureHeaders.ETAG, etag),
                new SignatureBase.Component(AltoResource.HEADER, altoResource)), params);
        byte[] signature = key.sign(base.bytes());
        return new SignatureHeaders(SignatureHeaders.LABEL + "=" + params,
                SignatureHeaders.LABEL + "=:" + Base64.getEncoder().encodeToString(signature) + ":");
    }

    /** The public half of the signing key, for publishing. */
    public VerificationKey publicKey() {
        return key.publicKey();
    }

    private Map<String, Object> params(long created, long expires) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("created", created);
        p.put("expires", expires);
        p.put("keyid", key.keyId());
        p.put("alg", key.algorithm().token());
        p.put("tag", SignatureHeaders.TAG);
        return p;
    }
}
