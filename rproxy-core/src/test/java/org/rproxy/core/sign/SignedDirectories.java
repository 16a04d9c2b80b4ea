package org.rproxy.core.sign;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.Jwk;

/**
 * Directories listing keys and the response fields that sign them, for the tests of how a
 * verifier learns keys from a directory ({@link VerifierKeyLearningTest}) and checks one signed
 * by several keys ({@link SeveralSignaturesTest}).
 */
final class SignedDirectories {
    static final String DIRECTORY = "/directory";

    private SignedDirectories() {
    }

    /**
     * The fields of a JSON response for {@code path} with {@code body}, signed at {@code now} by
     * every key of {@code by} (the first under the label {@code alto}), valid until {@code expires}.
     */
    static Map<String, String> signed(List<SigningKey> by, String path, String body, Instant now, Instant expires) {
        String digest = ContentDigest.sha256(body.getBytes(StandardCharsets.UTF_8));
        String resource = AltoResource.of(path.equals(DIRECTORY) ? "directory" : "nm", path).toHeader();
        SignatureHeaders s = new ResponseSigner(by).sign("application/json", digest, "\"e\"", resource, now, expires);
        return Map.of("content-type", "application/json", "content-digest", digest, "etag", "\"e\"",
                "alto-resource", resource, "signature-input", s.signatureInput(), "signature", s.signature());
    }

    /** A directory listing {@code listed}'s keys. */
    static String directory(SigningKey... listed) {
        StringBuilder keys = new StringBuilder();
        for (SigningKey key : listed) {
            Jwk k = key.publicKey().jwk();
            keys.append(keys.length() == 0 ? "" : ",").append("{\"alg\":\"").append(k.alg()).append("\",\"crv\":\"")
                    .append(k.crv()).append("\",\"kid\":\"").append(k.kid()).append("\",\"kty\":\"").append(k.kty())
                    .append("\",\"x\":\"").append(k.x()).append('"')
                    .append(k.y() == null ? "" : ",\"y\":\"" + k.y() + "\"").append('}');
        }
        return "{\"meta\":{\"alto-redist\":{\"keys\":[" + keys + "]}},\"resources\":{}}";
    }
}
