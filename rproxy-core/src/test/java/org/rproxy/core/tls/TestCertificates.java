package org.rproxy.core.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.rproxy.core.config.PrivateKeyFiles;

/**
 * A self-signed certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1} (or another name), made in the test with
 * Bouncy Castle (no network, no files from elsewhere): PEM certificate and PKCS#8 PEM key files
 * (the key readable by its owner only, as the TLS settings ask), and a JDK SSL context that trusts it.
 */
public record TestCertificates(Path cert, Path key, X509Certificate certificate) {

    public static TestCertificates make(Path dir, String name) throws Exception {
        return make(dir, name, new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.iPAddress, "::1"));
    }

    /** A self-signed certificate naming only {@code dnsName}: trusted as its own CA, wrong for loopback. */
    public static TestCertificates makeFor(Path dir, String name, String dnsName) throws Exception {
        return make(dir, name, new GeneralName(GeneralName.dNSName, dnsName));
    }

    private static TestCertificates make(Path dir, String name, GeneralName... names) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair pair = g.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                pair.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem(cert));
        // owner-only, as rproxy keygen writes keys: the TLS settings refuse a key other users may read
        PrivateKeyFiles.write(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()));
        return new TestCertificates(certFile, keyFile, cert);
    }

    public SSLContext trustingContext() throws Exception {
        return trusting(this);
    }

    /** A JDK SSL context that trusts every one of {@code certs} and nothing else. */
    public static SSLContext trusting(TestCertificates... certs) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        for (int i = 0; i < certs.length; i++) {
            ks.setCertificateEntry("test-" + i, certs[i].certificate());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }
}
