package org.rproxy.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

/** The words of each failure the JDK's HTTP client throws, as the client library, {@code rproxy fetch} and the push feed say them. */
class HttpClientFailureWordsTest {

    @Test
    void noConnectionIsSaidByWhy() {
        assertEquals("connection refused", TransportFailures.of(new ConnectException()));
        assertEquals("connection refused", TransportFailures.of(new IOException("x", new ConnectException())));
        assertEquals("the host name does not resolve", TransportFailures.unreachable(new UnknownHostException("nowhere")));
        assertEquals("no route to the host", TransportFailures.unreachable(new NoRouteToHostException()));
        assertNull(TransportFailures.unreachable(new IOException("Connection reset")));
        // the JDK's client: an unknown host is a ConnectException caused by the lookup's failure
        assertEquals("the host name does not resolve", TransportFailures.of(
                (IOException) new ConnectException().initCause(new java.nio.channels.UnresolvedAddressException())));
    }

    @Test
    void aLostConnectionIsClosedOrTheJdksSentence() {
        assertEquals(TransportFailures.CLOSED, TransportFailures.of(new EOFException("EOF reached while reading")));
        assertEquals(TransportFailures.CLOSED, TransportFailures.of(new IOException("HTTP/1.1 header parser received no bytes")));
        assertEquals(TransportFailures.CLOSED, TransportFailures.of(new IOException("java.io.IOException: boom")));
        assertEquals("connection reset", TransportFailures.of(new IOException("Connection reset")));
    }

    @Test
    void aTimeoutNamesWhatRanOutAndTheTimeoutAsConfigured() {
        Duration fiveSeconds = Duration.ofSeconds(5);
        assertEquals("no connection within 5s", TransportFailures.timedOut(new HttpConnectTimeoutException("x"),
                "no complete response", fiveSeconds));
        assertEquals("no complete response within 1500ms", TransportFailures.timedOut(new HttpTimeoutException("x"),
                "no complete response", Duration.ofMillis(1500)));
        assertNull(TransportFailures.timedOut(new IOException("x"), "no response", fiveSeconds));
    }

    @Test
    void aTlsFailureSaysWhetherTheCertificateWasRefused() {
        SSLHandshakeException cert = new SSLHandshakeException("PKIX path building failed");
        cert.initCause(new CertificateException("unable to find valid certification path"));
        assertEquals("the server's certificate is not accepted: unable to find valid certification path",
                TransportFailures.tls(new IOException(cert)));
        assertEquals("TLS handshake failed: no cipher suites in common",
                TransportFailures.tls(new SSLHandshakeException("no cipher suites in common")));
        assertNull(TransportFailures.tls(new ConnectException()));
    }
}
