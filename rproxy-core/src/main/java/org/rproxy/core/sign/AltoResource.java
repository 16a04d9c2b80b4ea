package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Identifiers;

/**
 * The {@code alto-resource} header: what a signed body answers, so that a proxy cannot serve a
 * validly signed document in place of another. An RFC 8941 Item: the resource id as an sf-string,
 * with parameters {@code path} (sf-string: the path and query the body answers) and, for query
 * resources (filtered maps, endpoint cost), {@code input} (sf-binary: SHA-256 of the canonical
 * JSON query input).
 *
 * <pre>{@code "default-network-map";path="/networkmap/default-network-map"}</pre>
 *
 * @param id          the RFC 7285 resource id
 * @param path        absolute path (and query) on the origin, visible ASCII
 * @param inputDigest SHA-256 of the canonical query input, or null for a GET resource
 */
public record AltoResource(String id, String path, Bytes inputDigest) {
    /** The header field name, lower case as in a covered component identifier. */
    public static final String HEADER = "alto-resource";

    private static final int SHA256_LENGTH = 32;

    public AltoResource {
        requireNonNull(id, "id");
        requireNonNull(path, "path");
        if (!Identifiers.isId(id)) {
            throw new IllegalArgumentException("id: " + id + " (expected: 1-64 characters of [A-Za-z0-9-:@_.])");
        }
        if (!path.startsWith("/") || !visibleAscii(path)) {
            throw new IllegalArgumentException("path: " + path + " (expected: an absolute path of visible ASCII)");
        }
        if (inputDigest != null && inputDigest.length() != SHA256_LENGTH) {
            throw new IllegalArgumentException("inputDigest: " + inputDigest.length() + " bytes (expected: 32)");
        }
    }

    /** A GET resource. */
    public static AltoResource of(String id, String path) {
        return new AltoResource(id, path, null);
    }

    /** A query resource answering {@code canonicalInput} (the RFC 8785 form of the request body). */
    public static AltoResource forQuery(String id, String path, byte[] canonicalInput) {
        requireNonNull(canonicalInput, "canonicalInput");
        return new AltoResource(id, path, Bytes.wrap(ContentDigest.sha256Raw(canonicalInput)));
    }

    /** The header field value. */
    public String toHeader() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("path", path);
        if (inputDigest != null) {
            params.put("input", inputDigest);
        }
        return StructuredFields.serializeItem(new StructuredFields.Item(id, params));
    }

    /**
     * Parses the header field value. Unknown parameters are ignored (RFC 8941 leaves room for
     * extension).
     *
     * @throws IllegalArgumentException with the reason, for anything else than the form above
     */
    public static AltoResource parse(String header) {
        requireNonNull(header, "header");
        StructuredFields.Item item;
        try {
            item = StructuredFields.parseItem(header);
        } catch (StructuredFieldException e) {
            throw new IllegalArgumentException("alto-resource: " + e.getMessage());
        }
        if (!(item.value() instanceof String id)) {
            throw new IllegalArgumentException("alto-resource: the resource id must be an sf-string");
        }
        if (!(item.params().get("path") instanceof String path)) {
            throw new IllegalArgumentException("alto-resource: missing or non-string 'path' parameter");
        }
        Object input = item.params().get("input");
        if (input != null && !(input instanceof Bytes)) {
            throw new IllegalArgumentException("alto-resource: 'input' must be a byte sequence");
        }
        try {
            return new AltoResource(id, path, (Bytes) input);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("alto-resource: " + e.getMessage());
        }
    }

    private static boolean visibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
