package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Dialect;

/**
 * What one stored representation answers: the method, the request target (path and query, as
 * the origin signs it in {@code alto-resource}), the dialect, and for a POST query the media type
 * and the SHA-256 of the canonical request body, so that equivalent JSON bodies share an answer.
 * {@code Accept} is not part of the key: the origin's responses vary on {@code Accept-Encoding}
 * only (its {@code Vary}), and both encodings live in the one representation.
 *
 * @param method      {@code GET} (HEAD shares it) or {@code POST}
 * @param target      {@code /path?query} in normal origin form ({@link org.rproxy.core.server.TargetForm}), so
 *                    that equivalent targets share one entry
 * @param dialect     JSON or XML
 * @param contentType a POST's media type, else null
 * @param bodyDigest  a POST's canonical body digest, else null
 */
record CacheKey(String method, String target, Dialect dialect, String contentType, Bytes bodyDigest) {
    CacheKey {
        requireNonNull(method, "method");
        requireNonNull(target, "target");
        requireNonNull(dialect, "dialect");
    }

    static CacheKey get(String target) {
        return new CacheKey("GET", target, Dialects.of(pathOf(target)), null, null);
    }

    static CacheKey post(String target, String contentType, Bytes bodyDigest) {
        return new CacheKey("POST", target, Dialects.of(pathOf(target)), contentType, requireNonNull(bodyDigest, "bodyDigest"));
    }

    boolean isGet() {
        return method.equals("GET");
    }

    String path() {
        return pathOf(target);
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    @Override
    public String toString() {
        return method + " " + target;
    }
}
