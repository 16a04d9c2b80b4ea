package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.required;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server's TLS identity: a PEM certificate chain and its PEM (PKCS#8) private key. Both files
 * must exist when the config is read.
 *
 * @param cert the certificate chain, leaf first
 * @param key  the unencrypted PKCS#8 private key
 */
public record TlsConfig(Path cert, Path key) {
    public TlsConfig {
        required(cert, "cert");
        required(key, "key");
        if (!Files.isReadable(cert)) {
            throw new IllegalArgumentException("cert: " + cert + " is not a readable file");
        }
        if (!Files.isReadable(key)) {
            throw new IllegalArgumentException("key: " + key + " is not a readable file");
        }
    }
}
