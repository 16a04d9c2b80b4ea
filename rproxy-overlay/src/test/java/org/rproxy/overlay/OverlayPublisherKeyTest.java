package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

/**
 * The publisher's DHT key is held to the origin's rule for private keys: one other users may read
 * is refused at start, naming the key and the fix, before anything joins the DHT.
 */
class OverlayPublisherKeyTest {

    @TempDir
    Path dir;

    @Test
    void aKeyOtherUsersMayReadIsRefusedBeforeTheNodeStarts() throws Exception {
        Path key = PrivateKeyFiles.write(dir.resolve("dht.key"),
                SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        OverlayConfig config = OverlayConfig.builder().dhtPort(16881).btPort(16891)
                .bootstrap(List.of(new Address("127.0.0.1", 1))).key(key).storage(dir.resolve("storage")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OverlayPublisher.start(config));
        assertEquals("key: " + key + ": mode 0644 lets other users read or change this private key (expected: only its"
                + " owner; chmod 600 " + key + ")", e.getMessage());
        assertFalse(Files.exists(dir.resolve("storage")), "nothing started");
    }
}
