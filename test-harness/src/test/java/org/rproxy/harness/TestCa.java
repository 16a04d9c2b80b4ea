package org.rproxy.harness;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

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
 * A private CA made in the test (Bouncy Castle, nothing from elsewhere) that issues server
 * certificates for {@code localhost} and {@code 127.0.0.1} with whatever validity a test needs,
 * an expired one included, which a CA that checked dates would not sign.
 *
 * @param key         the CA's key pair
 * @param certificate the CA's certificate
 * @param cert        its PEM file, for {@code --ca}
 */
record TestCa(KeyPair key, X509Certificate certificate, Path cert) {
    private static final AtomicLong SERIAL = new AtomicLong(Instant.now().toEpochMilli());

    /** A CA valid from an hour ago for a day, its certificate written to {@code dir/name.crt}. */
    static TestCa make(Path dir, String name) throws Exception {
        KeyPair pair = ecKey();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(3_600)),
                Date.from(now.plusSeconds(86_400)), subject, pair.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate cert = sign(b, pair);
        Path file = dir.resolve(name + ".crt");
        Files.writeString(file, pem(cert));
        return new TestCa(pair, cert, file);
    }

    /**
     * A server certificate for loopback valid from {@code notBefore} to {@code notAfter}, signed by
     * this CA; the certificate file holds it and the CA's (the chain a server sends).
     */
    Issued issue(Path dir, String name, Instant notBefore, Instant notAfter) throws Exception {
        KeyPair pair = ecKey();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(notBefore),
                Date.from(notAfter), new X500Name("CN=" + name), pair.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate leaf = sign(b, key);
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem(leaf) + pem(certificate));
        PrivateKeyFiles.write(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()));
        return new Issued(certFile, keyFile, pair, new X509Certificate[] {leaf, certificate});
    }

    /** An issued certificate: its files (for a proxy's TLS settings) and its key (for a JDK server). */
    record Issued(Path cert, Path key, KeyPair pair, X509Certificate[] chain) {
        /** A JDK server context presenting this certificate. */
        SSLContext serverContext() throws Exception {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setKeyEntry("server", pair.getPrivate(), new char[0], (Certificate[]) chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        }
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }
}
