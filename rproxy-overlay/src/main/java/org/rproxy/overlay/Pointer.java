package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

/**
 * One publisher's pointer to the current version of one resource, a BEP 44 mutable item in the
 * manner of BEP 46: salt = the resource id, seq = the version (the origin's {@code created}
 * seconds, so it only grows), value = {@code {"ih": infohash, "n": bundle size}}. The item's
 * signature (by the publisher's DHT key) is checked by mldht before a pointer is made from it.
 * Immutable.
 *
 * @param publisher  the publisher's 32-byte Ed25519 public key
 * @param resourceId the resource id (the salt)
 * @param seq        the version
 * @param infoHash   the 20-byte BitTorrent infohash of the bundle's torrent
 * @param size       the bundle's size in bytes
 */
record Pointer(byte[] publisher, String resourceId, long seq, byte[] infoHash, long size) {
    /** BEP 44 salts are at most 64 bytes. */
    static final int MAX_SALT = 64;

    Pointer {
        requireNonNull(publisher, "publisher");
        requireNonNull(resourceId, "resourceId");
        requireNonNull(infoHash, "infoHash");
        if (publisher.length != 32) {
            throw new IllegalArgumentException("publisher: " + publisher.length + " bytes (expected: 32)");
        }
        if (salt(resourceId).length > MAX_SALT) {
            throw new IllegalArgumentException("resourceId: " + resourceId + " (expected: at most 64 bytes of UTF-8)");
        }
        if (infoHash.length != 20) {
            throw new IllegalArgumentException("infoHash: " + infoHash.length + " bytes (expected: 20)");
        }
        if (seq < 0 || size < 0) {
            throw new IllegalArgumentException("seq, size: " + seq + ", " + size + " (expected: >= 0)");
        }
        publisher = publisher.clone();
        infoHash = infoHash.clone();
    }

    static byte[] salt(String resourceId) {
        return resourceId.getBytes(StandardCharsets.UTF_8);
    }

    /** The signed item to put. */
    StorageItem sign(DhtKey key) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("ih", infoHash);
        value.put("n", size);
        try {
            return GenericStorage.buildMutable(value, key.privateKey(), salt(resourceId), seq);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing a BEP 44 item: " + e.getMessage(), e);
        }
    }

    /**
     * The pointer an item (already checked by mldht) carries, or null when its value is not one
     * (another application's item under the same key and salt, or a listed publisher's turned bad:
     * a negative {@code seq}, which BEP 44 allows and a version never is). Never throws: what a
     * publisher signs must not be able to break a client's fetch.
     */
    static Pointer of(StorageItem item, String resourceId) {
        if (!item.mutable() || item.pubKey().isEmpty() || item.seq() < 0) {
            return null;
        }
        Object v;
        try {
            v = item.getDecodedValue();
        } catch (RuntimeException e) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m) || !(m.get("ih") instanceof byte[] ih) || ih.length != 20
                || !(m.get("n") instanceof Long n) || n < 0) {
            return null;
        }
        try {
            return new Pointer(DhtNode.bytes(item.pubKey().get()), resourceId, item.seq(), ih, n);
        } catch (IllegalArgumentException notOurs) {
            return null;
        }
    }

    /** The magnet link of the bundle's torrent (BEP 9). */
    String magnet() {
        return "magnet:?xt=urn:btih:" + HexFormat.of().formatHex(infoHash);
    }

    /**
     * Where a client says a bundle came from: the torrent's magnet link, with this pointer's
     * publisher and salt as BEP 46 names a mutable item ({@code xs=urn:btpk:KEY&s=SALT}, both in
     * hex), so that a refusal names the publisher that pointed to it.
     */
    String source() {
        return magnet() + "&xs=urn:btpk:" + HexFormat.of().formatHex(publisher) + "&s="
                + HexFormat.of().formatHex(salt(resourceId));
    }

    /** The 20-byte infohash a {@link #source()} (or a bare magnet link) names. */
    static byte[] infoHashOf(String source) {
        int at = source.indexOf("xt=urn:btih:") + "xt=urn:btih:".length();
        return HexFormat.of().parseHex(source, at, at + 40);
    }

    /** The publisher's key (hex) a {@link #source()} names, or null. */
    static String publisherOf(String source) {
        int at = source.indexOf("xs=urn:btpk:");
        return at < 0 || source.length() < at + 12 + 64 ? null : source.substring(at + 12, at + 12 + 64);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pointer p && Arrays.equals(publisher, p.publisher) && resourceId.equals(p.resourceId)
                && seq == p.seq && Arrays.equals(infoHash, p.infoHash) && size == p.size;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(publisher), resourceId, seq, Arrays.hashCode(infoHash), size);
    }

    /** The publisher's key, a copy. */
    @Override
    public byte[] publisher() {
        return publisher.clone();
    }

    /** The infohash, a copy. */
    @Override
    public byte[] infoHash() {
        return infoHash.clone();
    }

    @Override
    public String toString() {
        return "Pointer[" + resourceId + " seq " + seq + " -> " + HexFormat.of().formatHex(infoHash) + " (" + size
                + " bytes) by " + HexFormat.of().formatHex(publisher) + "]";
    }
}
