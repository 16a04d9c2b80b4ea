package org.rproxy.harness.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

/**
 * TLS towards {@code https} targets: the certificate chain is checked against the certificates
 * of {@code --ca} (a private CA), or the system trust store when none is given, and the
 * certificate must name the target's host (RFC 9110 §4.3.4); nothing is trusted blindly, since a
 * harness that trusts everything would measure a node an attacker could stand in for. ALPN
 * offers {@code http/1.1} only: viewers speak HTTP/1.1, and the front end, which offers
 * {@code h2} first, then picks it. One Netty context for the viewers' connections and one JDK
 * context, from the same trust, for the fetch of the network map before the run.
 */
public final class TargetTls {
    private static final ApplicationProtocolConfig HTTP_1_1 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1);

    private final SslContext netty;
    private final SSLContext jdk;
    private final String trust;

    private TargetTls(SslContext netty, SSLContext jdk, String trust) {
        this.netty = netty;
        this.jdk = jdk;
        this.trust = trust;
    }

    /**
     * TLS settings for {@code urls} (the targets, and an {@code --origin-metrics} URL if given), or
     * null when none of them is {@code https}. One trust for all: a private origin's CA goes into
     * the same {@code --ca} file as the edge's, which may hold several certificates.
     *
     * @param ca PEM certificates to trust instead of the system trust store, or null
     * @throws IllegalArgumentException naming {@code --ca} when the file is unusable, or given with no https URL
     */
    public static TargetTls forTargets(List<URI> urls, Path ca) {
        boolean https = urls.stream().anyMatch(t -> "https".equals(t.getScheme()));
        if (!https) {
            if (ca != null) {
                throw new IllegalArgumentException("--ca " + ca + ": no https URL to use it for (given: " + urls + ")");
            }
            return null;
        }
        return of(ca);
    }

    /** @param ca PEM certificates to trust, or null for the system trust store */
    public static TargetTls of(Path ca) {
        try {
            KeyStore store = null;
            if (ca != null) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int n = 0;
                for (Certificate c : certificates(ca)) {
                    store.setCertificateEntry("ca-" + n++, c);
                }
                if (n == 0) {
                    throw new IllegalArgumentException("--ca " + ca + ": no PEM certificate in it");
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SslContext netty = SslContextBuilder.forClient().trustManager(tmf).endpointIdentificationAlgorithm("HTTPS")
                    .applicationProtocolConfig(HTTP_1_1).build();
            SSLContext jdk = SSLContext.getInstance("TLS");
            jdk.init(null, tmf.getTrustManagers(), null);
            return new TargetTls(netty, jdk, ca == null ? "the system trust store" : "--ca " + ca);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException((ca == null ? "the system trust store" : "--ca " + ca) + ": cannot use it: "
                    + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(pem)) {
            throw new IllegalArgumentException("--ca " + pem + ": no such file");
        }
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException("--ca " + pem + ": not PEM certificates (" + e.getMessage() + ")", e);
        }
    }

    /** What certificates are checked against, for the report's settings and for failures. */
    public String trust() {
        return trust;
    }

    /** The JDK context, for {@code java.net.http} (which checks the host name itself). */
    SSLContext jdk() {
        return jdk;
    }

    /**
     * {@code tcp}, connected to {@code host}, with its TLS handshake done (SNI and the host checked
     * as for the viewers' connections), for the blocking sockets of {@code harness burst}.
     *
     * @throws Wire.TlsRefused saying why the handshake failed, as a viewer's failed connect says it
     */
    Socket handshake(Socket tcp, String host, int port, int timeoutMillis) throws IOException {
        SSLSocket s = (SSLSocket) jdk.getSocketFactory().createSocket(tcp, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setApplicationProtocols(new String[] {ApplicationProtocolNames.HTTP_1_1});
        s.setSSLParameters(p);
        int before = tcp.getSoTimeout();
        try {
            s.setSoTimeout(timeoutMillis);
            s.startHandshake();
            s.setSoTimeout(before);
            return s;
        } catch (SocketTimeoutException e) {
            s.close();
            throw new Wire.TlsRefused(failure(new SslHandshakeTimeoutException(e.getMessage()), host), e);
        } catch (SSLException e) {
            s.close();
            throw new Wire.TlsRefused(failure(e, host), e);
        }
    }

    /** A client handler for {@code host} (SNI, and the name the certificate must hold), giving up a handshake after {@code timeoutMillis}. */
    SslHandler newHandler(ByteBufAllocator alloc, String host, int port, long timeoutMillis) {
        SslHandler h = netty.newHandler(alloc, host, port);
        h.setHandshakeTimeoutMillis(timeoutMillis);
        return h;
    }

    /**
     * Why a handshake with {@code host} failed, in words that point at the fix: an untrusted chain
     * names what it was checked against, a wrong name the host, a timeout that no handshake came.
     */
    String failure(Throwable cause, String host) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = cause; t != null && chain.size() < 16; t = t.getCause()) {
            chain.add(t);
        }
        // the most telling first: an expired certificate also fails the path's validation
        for (Throwable t : chain) {
            if (t instanceof SslHandshakeTimeoutException) {
                return "TLS handshake failed: no handshake within the connect timeout";
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return "TLS handshake failed: the certificate is outside its validity (" + t.getMessage() + ")";
            }
            String m = String.valueOf(t.getMessage());
            if (m.startsWith("No subject alternative") || m.startsWith("No name matching")) {
                return "TLS handshake failed: the certificate does not name " + host;
            }
        }
        for (Throwable t : chain) {
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return "TLS handshake failed: the certificate is not trusted by " + trust;
            }
        }
        Throwable root = chain.get(chain.size() - 1);
        return "TLS handshake failed: " + (root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName());
    }
}
