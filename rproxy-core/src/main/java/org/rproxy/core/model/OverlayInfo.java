package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.HexFormat;
import java.util.List;

/**
 * How clients find the origin's documents in a P2P overlay, published in the signed directory
 * ({@code meta.alto-redist.overlay}): the overlay's bootstrap nodes, the public keys of the
 * publishers whose pointers to follow, and how a pointer is named. The publishers' keys only
 * say whose pointers to read; a document found through one is trusted only when the origin's
 * signature on it verifies. Immutable.
 *
 * @param protocol   the overlay protocol; {@link #BITTORRENT_DHT}: bundles as BitTorrent torrents,
 *                   one BEP 44 mutable item per resource in the mainline DHT (BEP 46 style)
 * @param bootstrap  DHT nodes to join through, as {@code host:port}
 * @param publishers the publishers' 32-byte Ed25519 public keys, in lower-case hex
 * @param naming     how an item is named; {@link #SALT_RESOURCE_ID}: salt = the resource id, seq = the
 *                   signature's {@code created} seconds, value = {@code {"ih": infohash, "n": size}}
 */
public record OverlayInfo(String protocol, List<String> bootstrap, List<String> publishers, String naming) {
    public static final String BITTORRENT_DHT = "bittorrent-dht";
    public static final String SALT_RESOURCE_ID = "bep44-salt-resource-id";

    public OverlayInfo {
        requireNonNull(protocol, "protocol");
        requireNonNull(naming, "naming");
        bootstrap = List.copyOf(requireNonNull(bootstrap, "bootstrap"));
        publishers = List.copyOf(requireNonNull(publishers, "publishers"));
        for (String b : bootstrap) {
            int colon = b.lastIndexOf(':');
            if (colon < 1 || !b.substring(colon + 1).matches("[0-9]{1,5}")
                    || Integer.parseInt(b.substring(colon + 1)) > 65535) {
                throw new IllegalArgumentException("bootstrap: " + b + " (expected: host:port)");
            }
        }
        for (String p : publishers) {
            if (!p.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("publishers: " + p + " (expected: 64 lower-case hex digits)");
            }
        }
    }

    /** A publisher key as bytes. */
    public static byte[] key(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
