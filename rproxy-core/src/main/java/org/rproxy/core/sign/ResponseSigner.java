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
 * freshening needs no body at all.
 *
 * <p>A signer of several keys ({@link #ResponseSigner(List)}, for the origin's directory during a
 * key rotation: ARCHITECTURE.md §4) signs the same base parameters but {@code keyid} and {@code
 * alg} once with each, the first labelled {@code alto} as every signature is, the next {@code
 * alto-2}, then {@code alto-3} and so on, all in one {@code Signature-Input} and one {@code
 * Signature} field (RFC 9421 §4.1 lets a message carry several, each under its own label). The
 * label is the signature's position, not its key: labels are local names (a key's thumbprint
 * holds upper case, which an sf-key cannot), a verifier picks by {@code keyid}
 * ({@link AltoSignatures}), and the first keeps {@code alto}, all a verifier of a release before
 * this one reads. Thread-safe: the origin signs from several threads.
 */
public final class ResponseSigner {
    private final SigningKey key;
    private final List<SigningKey> more;

    public ResponseSigner(SigningKey key) {
        this(List.of(key));
    }

    /**
     * Signs with every key of {@code keys}, the first under the label {@code alto}.
     *
     * @throws IllegalArgumentException when {@code keys} is empty or holds a key twice
     */
    public ResponseSigner(List<SigningKey> keys) {
        requireNonNull(keys, "keys");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("keys: none (expected: at least the signing key)");
        }
        if (keys.stream().map(SigningKey::keyId).distinct().count() != keys.size()) {
            throw new IllegalArgumentException("keys: a key is listed twice");
        }
        this.key = keys.get(0);
        this.more = List.copyOf(keys.subList(1, keys.size()));
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
        List<SignatureBase.Component> covered = List.of(
                new SignatureBase.Component(SignatureHeaders.CONTENT_TYPE, contentType),
                new SignatureBase.Component(SignatureHeaders.CONTENT_DIGEST, contentDigest),
                new SignatureBase.Component(SignatureHeaders.ETAG, etag),
                new SignatureBase.Component(AltoResource.HEADER, altoResource));
        StringBuilder input = new StringBuilder(256);
        StringBuilder signature = new StringBuilder(128);
        member(SignatureHeaders.LABEL, key, covered, c, e, input, signature);
        for (int i = 0; i < more.size(); i++) {
            input.append(", ");
            signature.append(", ");
            member(AltoSignatures.MORE_PREFIX + (i + 2), more.get(i), covered, c, e, input, signature);
        }
        return new SignatureHeaders(input.toString(), signature.toString());
    }

    /** Signs with {@code k} and appends its members, labelled {@code label}, to the two fields. */
    private static void member(String label, SigningKey k, List<SignatureBase.Component> covered, long created,
                               long expires, StringBuilder input, StringBuilder signature) {
        String params = SignatureBase.serializeParams(SignatureHeaders.COVERED, params(k, created, expires));
        byte[] sig = k.sign(SignatureBase.of(covered, params).bytes());
        input.append(label).append('=').append(params);
        signature.append(label).append("=:").append(Base64.getEncoder().encodeToString(sig)).append(':');
    }

    /** The public half of the signing key (the {@code alto} signature's), for publishing. */
    public VerificationKey publicKey() {
        return key.publicKey();
    }

    private static Map<String, Object> params(SigningKey key, long created, long expires) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("created", created);
        p.put("expires", expires);
        p.put("keyid", key.keyId());
        p.put("alg", key.algorithm().token());
        p.put("tag", SignatureHeaders.TAG);
        return p;
    }
}
