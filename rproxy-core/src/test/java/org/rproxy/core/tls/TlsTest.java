package org.rproxy.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.TlsConfig;

/** What the TLS helper refuses at start, and that it falls back to the JDK's trust store. */
class TlsTest {

    @TempDir
    Path dir;

    @Test
    void aCaFileWithoutCertificatesIsRefusedNamingTheSetting() throws Exception {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        ConfigException jdk = assertThrows(ConfigException.class, () -> Tls.jdkClient(notPem));
        assertTrue(jdk.getMessage().startsWith("upstream.ca: cannot use " + notPem + ": "), jdk.getMessage());
        ConfigException netty = assertThrows(ConfigException.class, () -> Tls.client(notPem));
        assertTrue(netty.getMessage().startsWith("upstream.ca: cannot use " + notPem + ": "), netty.getMessage());
    }

    @Test
    void withoutACaFileTheDefaultTrustStoreIsUsed() {
        assertNotNull(Tls.jdkClient(null));
        assertTrue(Tls.client(null).isClient());
    }

    @Test
    void aServerKeyOtherUsersMayReadIsRefusedNamingTheSettingAndOneOnlyItsOwnerReadsIsUsed() throws Exception {
        TestCertificates certs = TestCertificates.make(dir, "proxy");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.key())),
                "the test helper writes keys as keygen does");
        TlsConfig tls = new TlsConfig(certs.cert(), certs.key());
        assertTrue(Tls.server(tls).isServer());

        Files.setPosixFilePermissions(certs.key(), PosixFilePermissions.fromString("rw-r--r--"));
        ConfigException e = assertThrows(ConfigException.class, () -> Tls.server(tls));
        assertEquals("tls.key: " + certs.key() + ": mode 0644 lets other users read or change this private key"
                + " (expected: only its owner; chmod 600 " + certs.key() + ")", e.getMessage());
    }
}
