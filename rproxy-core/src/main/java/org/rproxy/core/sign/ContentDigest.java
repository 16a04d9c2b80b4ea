package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

import org.rproxy.core.model.Bytes;

/**
 * The {@code Content-Digest} field of RFC 9530: a Dictionary of algorithm → digest of the content
 * (the bytes on the wire, after any content coding). Written with {@code sha-256}; checked with
 * {@code sha-256} and {@code sha-512}, ignoring algorithms it does not know (§2), but never
 * accepting a field that names none it knows. Stateless; any thread. The JDK's SHA-2 is used
 * because it has CPU intrinsics, and a 5 MB map is hashed once per check.
 */
public final class ContentDigest {
    private static final String SHA_256 = "sha-256";
    private static final String SHA_512 = "sha-512";

    private ContentDigest() {
    }

    /** {@code sha-256=:<base64>:} for {@code body}. */
    public static String sha256(byte[] body) {
        requireNonNull(body, "body");
        return sha256(body, 0, body.length);
    }

    /** {@code sha-256=:<base64>:} for {@code body[off, off+len)}. */
    public static String sha256(byte[] body, int off, int len) {
        requireNonNull(body, "body");
        Objects.checkFromIndexSize(off, len, body.length);
        byte[] d = digest("SHA-256", body, off, len);
        return SHA_256 + "=:" + Base64.getEncoder().encodeToString(d) + ":";
    }

    /** The raw SHA-256 of {@code data}, for callers that need the digest itself. */
    public static byte[] sha256Raw(byte[] data) {
        requireNonNull(data, "data");
        return digest("SHA-256", data, 0, data.length);
    }

    /**
     * True when {@code headerValue} names at least one supported algorithm and every supported
     * digest in it matches {@code body}. False for a mismatch, for a field without a supported
     * algorithm, and for a field that is not a valid RFC 8941 Dictionary of Byte Sequences.
     */
    public static boolean matches(String headerValue, byte[] body) {
        requireNonNull(body, "body");
        return mismatch(headerValue, body, 0, body.length) == null;
    }

    /** As {@link #matches(String, byte[])} for {@code body[off, off+len)}. */
    public static boolean matches(String headerValue, byte[] body, int off, int len) {
        requireNonNull(body, "body");
        Objects.checkFromIndexSize(off, len, body.length);
        return mismatch(headerValue, body, off, len) == null;
    }

    /** Why {@code headerValue} does not match, or null when it does. */
    static String mismatch(String headerValue, byte[] body, int off, int len) {
        if (headerValue == null) {
            return "no content-digest";
        }
        Map<String, Object> dict;
        try {
            dict = StructuredFields.parseDictionary(headerValue);
        } catch (StructuredFieldException e) {
            return "content-digest is malformed: " + e.getMessage();
        }
        int checked = 0;
        for (Map.Entry<String, Object> member : dict.entrySet()) {
            String jdkName = jdkName(member.getKey());
            if (jdkName == null) {
                continue;
            }
            if (!(member.getValue() instanceof StructuredFields.Item item) || !(item.value() instanceof Bytes expected)) {
                return "content-digest " + member.getKey() + " is not a byte sequence";
            }
            int size = jdkName.equals("SHA-256") ? 32 : 64;
            if (expected.length() != size) {
                return "content-digest " + member.getKey() + " is " + expected.length() + " bytes (expected: " + size + ")";
            }
            if (!MessageDigest.isEqual(expected.unsafeArray(), digest(jdkName, body, off, len))) {
                return "content-digest " + member.getKey() + " does not match the body";
            }
            checked++;
        }
        return checked > 0 ? null : "content-digest names no supported algorithm (sha-256, sha-512)";
    }

    private static String jdkName(String algorithm) {
        return switch (algorithm) {
            case SHA_256 -> "SHA-256";
            case SHA_512 -> "SHA-512";
            default -> null;
        };
    }

    private static byte[] digest(String jdkName, byte[] data, int off, int len) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jdkName + " missing from the JDK", e);
        }
        md.update(data, off, len);
        return md.digest();
    }
}
