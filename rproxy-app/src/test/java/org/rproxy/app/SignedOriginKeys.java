package org.rproxy.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

/** A trusted public key file for tests that never get as far as verifying. */
final class SignedOriginKeys {
    private SignedOriginKeys() {
    }

    static Path pub(Path dir) throws IOException {
        Path pub = dir.resolve("any.pub");
        if (Files.notExists(pub)) {
            Files.writeString(pub, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey()
                    .toSpkiPem());
        }
        return pub;
    }
}
