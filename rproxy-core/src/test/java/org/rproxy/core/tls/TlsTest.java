package org.rproxy.core.tls;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ConfigException;

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
}
