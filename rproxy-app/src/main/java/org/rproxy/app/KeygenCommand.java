package org.rproxy.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.overlay.PublisherKeys;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rproxy keygen}: makes the origin's key pair (PKCS#8 and SPKI PEM) and prints its key id;
 * for an Ed25519 pair also the name it has as an overlay publisher's DHT key ({@link PublisherKeys}).
 */
@Command(name = "keygen", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Generate the origin's signing key pair.",
                "Writes DIR/origin.key (PKCS#8 PEM, mode 600) and DIR/origin.pub (SPKI PEM),",
                "and prints the key id (RFC 7638 JWK thumbprint) that signatures name;",
                "for ed25519 also the key in hex as an overlay publisher is named by it."})
final class KeygenCommand implements Callable<Integer> {

    enum Alg { ED25519, ECDSA_P256 }

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the keys to (created if missing).")
    Path out;

    @Option(names = "--alg", defaultValue = "ed25519", paramLabel = "ALG",
            description = "ed25519 (default) or ecdsa-p256.", converter = AlgConverter.class)
    Alg alg;

    @Option(names = "--force", description = "Overwrite existing key files.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        SignatureAlgorithm algorithm = alg == Alg.ED25519 ? SignatureAlgorithm.ED25519 : SignatureAlgorithm.ECDSA_P256_SHA256;
        SigningKey key = SigningKey.generate(algorithm, new SecureRandom());
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + ": exists already and is not a folder");
        }
        Files.createDirectories(out);
        Path priv = out.resolve("origin.key");
        Path pub = out.resolve("origin.pub");
        if (!force && (Files.exists(priv) || Files.exists(pub))) {
            throw new IllegalArgumentException("--out " + out + ": " + (Files.exists(priv) ? priv : pub)
                    + " exists already (use --force to overwrite)");
        }
        PrivateKeyFiles.write(priv, key.toPkcs8Pem());
        Files.writeString(pub, key.publicKey().toSpkiPem(), StandardCharsets.US_ASCII);
        PrintWriter say = spec.commandLine().getOut();
        say.println("wrote " + priv + " and " + pub);
        say.println("keyid " + key.publicKey().keyId() + " (" + algorithm.token() + ")");
        if (algorithm == SignatureAlgorithm.ED25519) {
            // the same pair may be an overlay publisher's DHT key, which is named otherwise
            say.println("overlay publisher key " + PublisherKeys.of(priv) + " (for a publisher's DHT key:"
                    + " the origin's --overlay-publisher, a client peer's overlay.yaml publishers)");
        }
        say.flush();
        return 0;
    }

    static final class AlgConverter implements picocli.CommandLine.ITypeConverter<Alg> {
        @Override
        public Alg convert(String value) {
            switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "ed25519": return Alg.ED25519;
                case "ecdsa-p256": case "ecdsa-p256-sha256": case "p-256": return Alg.ECDSA_P256;
                default: throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' (expected: ed25519 or ecdsa-p256)");
            }
        }
    }
}
