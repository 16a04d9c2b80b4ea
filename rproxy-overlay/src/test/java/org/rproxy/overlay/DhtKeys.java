package org.rproxy.overlay;

import java.security.SecureRandom;

/** Fresh BEP 44 signing keys for the overlay's tests: a key no other test or run shares. */
final class DhtKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private DhtKeys() {
    }

    /** A key made from a random 32-byte seed. */
    static DhtKey fresh() {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        return DhtKey.ofSeed(seed);
    }
}
