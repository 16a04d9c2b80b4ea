package org.rproxy.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/**
 * A real file origin for tests: the sample maps of {@code conf/maps} copied into a folder of the
 * test's, a fresh Ed25519 key, and the front end on an ephemeral loopback port.
 */
final class TestOrigin implements AutoCloseable {
    final Origin origin;
    final Path maps;
    final Path privateKey;
    final Path publicKey;

    private TestOrigin(Origin origin, Path maps, Path privateKey, Path publicKey) {
        this.origin = origin;
        this.maps = maps;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Starts an origin in {@code dir}; {@code extraMaps} are (file name, JSON) pairs added to the samples. */
    static TestOrigin start(Path dir, String... extraMaps) throws Exception {
        return start(dir, Duration.ofHours(1), Duration.ofSeconds(60), extraMaps);
    }

    /** As {@link #start(Path, String...)}, signing for {@code validity} with {@code maxAge}. */
    static TestOrigin start(Path dir, Duration validity, Duration maxAge, String... extraMaps) throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        for (int i = 0; i + 1 < extraMaps.length; i += 2) {
            Files.writeString(maps.resolve(extraMaps[i]), extraMaps[i + 1]);
        }
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = dir.resolve("origin.key");
        Path pub = dir.resolve("origin.pub");
        PrivateKeyFiles.write(priv, key.toPkcs8Pem());
        Files.writeString(pub, key.publicKey().toSpkiPem());
        Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                validity, maxAge, List.of("http://127.0.0.1:9/"), "it-origin", null));
        return new TestOrigin(origin, maps, priv, pub);
    }

    String base() {
        return origin.baseUri();
    }

    @Override
    public void close() {
        origin.close();
    }
}
