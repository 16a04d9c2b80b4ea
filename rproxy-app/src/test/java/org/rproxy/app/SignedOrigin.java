package org.rproxy.app;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.origin.Origin;
import org.rproxy.core.origin.OriginConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.tls.Tls;

/**
 * A real signing origin on the sample maps, on an ephemeral loopback port, with a fresh key (and,
 * for https, a fresh self-signed certificate for 127.0.0.1 that no trust store knows), for the
 * command tests.
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
            cert = dir.resolve("server.crt");
            Path certKey = dir.resolve("server.key");
            selfSigned(cert, certKey);
            front = front.withSslContext(Tls.server(new TlsConfig(cert, certKey)));
        }
        Origin origin = Origin.start(new OriginConfig(front, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60),
                List.of(), "test", null), Clock.systemUTC());
        return new SignedOrigin(origin, pub, other, cert);
    }

    String url(String path) {
        return origin.baseUri() + path;
    }

    private static void selfSigned(Path certFile, Path keyFile) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair pair = g.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=rproxy-test");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                pair.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        Files.writeString(certFile, pem(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))));
        Files.writeString(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()));
    }

    private static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    @Override
    public void close() {
        origin.close();
    }
}
