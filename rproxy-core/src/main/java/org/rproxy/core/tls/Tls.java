package org.rproxy.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.TlsConfig;

/**
 * TLS contexts from PEM files, shared by the pull and push feeds and the front ends: a server
 * identity, and the client side towards an {@code https} upstream, which checks the upstream's
 * certificate chain (against the JDK's trust store or a given CA file) and that it names the host
 * (RFC 9110 §4.3.4). The client side comes as a Netty context (the feeds' own connections) and as
 * a JDK context (for {@code java.net.http}, which checks the host name itself). Start-up only;
 * every failure is a {@link ConfigException} naming the setting.
 */
public final class Tls {

    private Tls() {
    }

    /**
     * What a server offers by ALPN (RFC 7301): {@code h2} first, then {@code http/1.1}. A client
     * that offers neither, or no ALPN at all, is still served (HTTP/1.1, or HTTP/2 if it opens
     * with the preface): the front end decides on the first bytes.
     */
    static final ApplicationProtocolConfig SERVER_ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    /**
     * A server context from a PEM certificate chain and PKCS#8 PEM key, offering h2 and http/1.1
     * by ALPN. A key that other users may read is refused as the origin's signing key is
     * ({@link PrivateKeyFiles}: {@code "tls.key: FILE: mode 0644 lets other users read ..."}), once
     * the files are known to be a certificate and its key (so that a certificate given as the key
     * is named as such, not as a key left open).
     */
    public static SslContext server(TlsConfig tls) {
        SslContext context;
        try {
            context = SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile())
                    .applicationProtocolConfig(SERVER_ALPN)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("tls: cannot use " + tls.cert() + " and " + tls.key() + ": " + e.getMessage(), e);
        }
        try {
            PrivateKeyFiles.checked(tls.key(), "tls.key");
        } catch (IllegalArgumentException e) {
            ReferenceCountUtil.release(context); // an OpenSSL context holds native memory
            throw new ConfigException(e.getMessage(), e);
        }
        return context;
    }

    /**
     * A Netty client context that checks the upstream's certificate chain and host name.
     *
     * @param ca PEM certificates to trust, or null for the JDK's default trust store
     */
    public static SslContext client(Path ca) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            if (ca != null) {
                b.trustManager(ca.toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("upstream.ca: cannot use " + ca + ": " + e.getMessage(), e);
        }
    }

    /**
     * A JDK client context trusting {@code ca} (or the default trust store when null), for
     * {@code java.net.http.HttpClient}; the client checks the host name.
     */
    public static SSLContext jdkClient(Path ca) {
        try {
            if (ca == null) {
                return SSLContext.getDefault();
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate c : certificates(ca)) {
                store.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new IllegalArgumentException("no PEM certificate in the file");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException("upstream.ca: cannot use " + ca + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }
}
