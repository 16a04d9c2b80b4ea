package org.rproxy.overlay;

import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The name of an overlay publisher, read from its DHT key file without starting it: the Ed25519
 * public key it signs its pointers with, in 64 hex digits, exactly as {@link OverlayPublisher#publicKey()}
 * gives it once started. An operator gives it to the origin ({@code --overlay-publisher}) and an
 * app vendor to its client peers ({@code publishers} in their {@code overlay.yaml}), as soon as the
 * key is made ({@code rproxy keygen} prints it). Stateless.
 */
public final class PublisherKeys {

    private PublisherKeys() {
    }

    /**
     * {@return the publisher key of {@code keyFile}, a PKCS#8 PEM Ed25519 private key, in lower-case hex}
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no Ed25519 key
     */
    public static String of(Path keyFile) {
        return HexFormat.of().formatHex(DhtKey.read(keyFile).publicKey());
    }
}
