package org.rproxy.core.sign;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The strong entity tags (RFC 9110 §8.8.3) of what rproxy serves, derived, never stored apart:
 * 22 base64url characters (132 bits) of a SHA-256.
 *
 * <p>A signed variant's tag is new at every signing ({@link #ofSigning}): a hash of its content
 * digest and the signature's {@code created}. A cache that revalidates and gets a 304 is asked by
 * RFC 9111 §4.3.4 to update its stored fields, but nginx does not, and would go on serving the
 * old signature until it expired; with a tag per signing, a re-signed document is a new
 * representation to every cache, and a 304 only ever confirms identical fields. RFC 9110 §8.8.1
 * lets a strong validator change with significant metadata; the signature is that. Whatever
 * means "the same bytes" (reusing a parse, say) must compare content digests instead. Stateless.
 */
public final class EntityTags {

    private EntityTags() {
    }

    /** The tag of one signing of the variant whose {@code content-digest} is {@code contentDigest}. */
    public static String ofSigning(String contentDigest, Instant created) {
        return of(contentDigest, Long.toString(created.getEpochSecond()));
    }

    /**
     * The tag of an unsigned answer: over its content digest and the metadata that goes with the
     * body ({@code alto-derived-from}), so a cache fetches again when either changes.
     */
    public static String of(String contentDigest, String metadata) {
        return fromDigest(ContentDigest.sha256((contentDigest + ';' + metadata).getBytes(StandardCharsets.UTF_8)));
    }

    /** 22 base64url characters of a {@code sha-256=:...:} digest, quoted. */
    private static String fromDigest(String contentDigest) {
        int start = contentDigest.indexOf(':') + 1;
        String b64 = contentDigest.substring(start, start + 22);
        return '"' + b64.replace('+', '-').replace('/', '_') + '"';
    }
}
