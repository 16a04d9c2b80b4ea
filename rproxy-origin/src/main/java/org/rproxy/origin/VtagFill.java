package org.rproxy.origin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Identifiers;

/**
 * Completes a maps file's {@code meta.vtag}: an operator may leave out the resource id (the file
 * name stands for it) and the tag (a hash of the content stands for it, so that a changed file
 * always gets a new tag; of a cost map whose dependent tag is filled in, a hash of the content
 * and that tag, see {@link #filledTag}). Stateless; runs on {@link MapsFolder}'s caller's thread.
 */
final class VtagFill {

    private VtagFill() {
    }

    /** The document with {@code meta.vtag} completed from the file name and the content hash. */
    static ObjectNode withVtag(JsonNode doc, Path file, String contentTag) {
        ObjectNode copy = ((ObjectNode) doc).deepCopy();
        JsonNode meta = copy.get("meta");
        if (meta != null && !meta.isObject()) {
            throw new MapsFolder.MapsFolderException(file + ": meta: expected an object");
        }
        ObjectNode m = meta == null ? copy.putObject("meta") : (ObjectNode) meta;
        JsonNode vt = m.get("vtag");
        if (vt != null && !vt.isObject()) {
            throw new MapsFolder.MapsFolderException(file + ": meta/vtag: expected an object");
        }
        ObjectNode vtag = vt == null ? m.putObject("vtag") : (ObjectNode) vt;
        if (!vtag.has("resource-id")) {
            String id = baseName(file);
            if (!Identifiers.isId(id)) {
                throw new MapsFolder.MapsFolderException(file + ": the file name '" + id + "' is not a valid resource id"
                        + " (1-64 of [A-Za-z0-9-:@_.]); rename the file or set meta/vtag/resource-id");
            }
            vtag.put("resource-id", id);
        }
        if (!vtag.has("tag")) {
            vtag.put("tag", contentTag);
        }
        return copy;
    }

    /** 32 hex digits of SHA-256 over the canonical form of the document as written. */
    static String contentTag(JsonNode doc) {
        return hex(sha256().digest(Jcs.canonicalize(doc)));
    }

    /**
     * The tag of a cost map whose file gives none and leaves out {@code dependent-vtags[0].tag}:
     * 32 hex digits of SHA-256 over the hash of the file's bytes ({@code bytesTag}) and the
     * canonical form of {@code dependentVtags} as filled in. The file's bytes alone do not make
     * the document served (the filled tag follows the network map), and a vtag names one version
     * (RFC 7285 §10.3): an edit of the network map alone must give the cost map a new tag too.
     */
    static String filledTag(String bytesTag, JsonNode dependentVtags) {
        MessageDigest sha = sha256();
        sha.update(bytesTag.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
        return hex(sha.digest(Jcs.canonicalize(dependentVtags)));
    }

    private static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash, 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The file name without {@code .json}: the resource id of a document that names none. */
    static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }
}
