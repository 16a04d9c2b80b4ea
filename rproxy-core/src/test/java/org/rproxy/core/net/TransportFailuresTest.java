package org.rproxy.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletionException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

/**
 * A failed connection is worded without a Java class, one way for the push feed's lost stream
 * ({@link TransportFailures#reason}, which was {@code StreamControl.reason}) and the client's
 * words ({@code HttpClientFailureWordsTest} has the JDK HTTP client's).
 */
class TransportFailuresTest {

    @Test
    void aFailedConnectionIsWordedWithoutAJavaClass() {
        assertEquals("connection refused", TransportFailures.reason(new ConnectException()));
        assertEquals("connection refused", TransportFailures.reason(new CompletionException(
                new ConnectException("Connection refused: /127.0.0.1:8181"))));
        assertEquals("connection timed out", TransportFailures.reason(new ConnectException("connection timed out")));
        assertEquals("the host name does not resolve", TransportFailures.reason(new UnresolvedAddressException()));
        assertEquals("status 503", TransportFailures.reason(new IllegalStateException("status 503")));
        assertEquals("IllegalStateException", TransportFailures.reason(new IllegalStateException()));
        assertEquals(TransportFailures.CLOSED, TransportFailures.reason(new ClosedChannelException()));
    }

    @Test
    void theLookupsFailureIsToldBeforeTheConnectItFailed() {
        // the JDK's HTTP client: a ConnectException without a message, caused by the lookup's failure
        assertEquals("the host name does not resolve",
                TransportFailures.unreachable(new ConnectException().initCause(new UnresolvedAddressException())));
        assertEquals("the host name does not resolve",
                TransportFailures.reason(new IOException(new UnknownHostException("nowhere.invalid"))));
    }

    @Test
    void aTlsFailureReadsAsTheClientSaysIt() {
        SSLHandshakeException cert = new SSLHandshakeException("PKIX path building failed: sun.security.X");
        cert.initCause(new CertificateException("unable to find valid certification path"));
        assertEquals("the server's certificate is not accepted: unable to find valid certification path",
                TransportFailures.reason(new CompletionException(cert)));
        assertEquals("TLS handshake failed: no cipher suites in common",
                TransportFailures.reason(new SSLHandshakeException("no cipher suites in common")));
    }
}
