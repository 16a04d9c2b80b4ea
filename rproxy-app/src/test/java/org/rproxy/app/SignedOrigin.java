package org.rproxy.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.rproxy.core.config.TlsConfig;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * A real signing origin on the sample maps, on an ephemeral loopback port, with a fresh key (and,
 * for https, core's fresh self-signed test certificate for localhost and 127.0.0.1, which no trust
 * store knows), for the command tests.
 */
record SignedOrigin(Origin origin, Path pub, Path otherPub, Path cert) implements AutoCloseable {

    static SignedOrigin start(Path dir, boolean https) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        Path other = Files.writeString(dir.resolve("other.pub"),
                SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey().toSpkiPem());
        FrontEndConfig front = FrontEndConfig.defaults("127.0.0.1", 0);
        Path cert = null;
        if (https) {
            TestCertificates made = TestCertificates.make(dir, "server");
            cert = made.cert();
            front = front.withSslContext(Tls.server(new TlsConfig(made.cert(), made.key())));
        }
        Origin origin = Origin.start(new OriginConfig(front, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60),
                List.of(), "test", null), Clock.systemUTC());
        return new SignedOrigin(origin, pub, other, cert);
    }

    /** A public key file in {@code dir}, for tests that never get as far as verifying. */
    static Path anyKey(Path dir) throws IOException {
        Path pub = dir.resolve("any.pub");
        if (Files.notExists(pub)) {
            Files.writeString(pub, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey()
                    .toSpkiPem());
        }
        return pub;
    }

    String url(String path) {
        return origin.baseUri() + path;
    }

    @Override
    public void close() {
        origin.close();
    }
}
