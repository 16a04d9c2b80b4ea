package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.VerificationKey;

class KeygenCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa-p256"})
    void writesAKeyPairThatBelongsTogether(String alg, @TempDir Path dir) throws Exception {
        assertEquals(0, Main.run("keygen", "--out", dir.toString(), "--alg", alg));
        SigningKey key = SigningKey.readPem(dir.resolve("origin.key"));
        VerificationKey pub = VerificationKey.readPem(dir.resolve("origin.pub"));
        assertEquals(pub.keyId(), key.publicKey().keyId());
        assertEquals(alg.equals("ed25519") ? SignatureAlgorithm.ED25519 : SignatureAlgorithm.ECDSA_P256_SHA256, key.algorithm());
        byte[] data = "alto".getBytes();
        assertTrue(pub.verify(data, key.sign(data)));
        assertEquals(java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(dir.resolve("origin.key")));
    }

    /**
     * An Ed25519 pair may be an overlay publisher's DHT key: keygen prints its name as the origin's
     * {@code --overlay-publisher} and a client peer's {@code publishers} take it (the raw public key,
     * the SPKI's last 32 bytes, in hex), so that nobody has to start the proxy to learn it.
     */
    @Test
    void anEd25519PairIsAlsoNamedAsAnOverlayPublisher(@TempDir Path dir) throws Exception {
        CommandRun run = CommandRun.of("keygen", "--out", dir.toString());
        assertEquals(0, run.exit(), run.toString());
        String der = Files.readString(dir.resolve("origin.pub")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] spki = Base64.getDecoder().decode(der);
        String raw = HexFormat.of().formatHex(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
        assertTrue(run.out().lines().anyMatch(("overlay publisher key " + raw + " (for a publisher's DHT key: the origin's"
                + " --overlay-publisher, a client peer's overlay.yaml publishers)")::equals), run.toString());

        CommandRun ecdsa = CommandRun.of("keygen", "--out", dir.resolve("p256").toString(), "--alg", "ecdsa-p256");
        assertEquals(0, ecdsa.exit(), ecdsa.toString());
        assertTrue(ecdsa.out().lines().noneMatch(l -> l.startsWith("overlay publisher")), "BEP 44 signs with Ed25519 alone");
    }

    @Test
    void refusesToOverwriteAnExistingKeyWithoutForce(@TempDir Path dir) throws Exception {
        assertEquals(0, Main.run("keygen", "--out", dir.toString()));
        String before = Files.readString(dir.resolve("origin.key"));
        assertEquals(2, Main.run("keygen", "--out", dir.toString()));
        assertEquals(before, Files.readString(dir.resolve("origin.key")));
        assertEquals(0, Main.run("keygen", "--out", dir.toString(), "--force"));
    }

    @Test
    void anOutThatIsAFileOrHoldsAKeySaysSo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        CommandRun onAFile = CommandRun.of("keygen", "--out", file.toString());
        assertEquals(2, onAFile.exit(), onAFile.toString());
        assertEquals("rproxy keygen: --out " + file + ": exists already and is not a folder", onAFile.err().strip());

        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        CommandRun again = CommandRun.of("keygen", "--out", dir.toString());
        assertEquals(2, again.exit(), again.toString());
        assertEquals("rproxy keygen: --out " + dir + ": " + dir.resolve("origin.key")
                + " exists already (use --force to overwrite)", again.err().strip());
    }

    @Test
    void anUnknownAlgorithmIsAUsageError(@TempDir Path dir) {
        assertEquals(2, Main.run("keygen", "--out", dir.toString(), "--alg", "rsa"));
    }
}
