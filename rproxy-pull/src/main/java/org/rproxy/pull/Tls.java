package org.rproxy.pull;

import java.nio.file.Path;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.TlsConfig;

/**
 * Netty TLS contexts from PEM files: a server identity for the front end, and the client context
 * towards an {@code https} upstream (verifying the upstream's certificate and host name, against
 * the JDK's trust store or a given CA file). Start-up only.
 */
public final class Tls {

    private Tls() {
    }

    /** A server context from a PEM certificate chain and PKCS#8 PEM key. */
    public static SslContext server(TlsConfig tls) {
        try {
            return SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("tls: cannot use " + tls.cert() + " and " + tls.key() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context that checks the upstream's certificate chain and that it names the host
     * (RFC 9110 §4.3.4).
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

}
