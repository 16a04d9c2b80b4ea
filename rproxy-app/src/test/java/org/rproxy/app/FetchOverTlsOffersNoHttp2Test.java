package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.tls.AlpnRelay;
import org.rproxy.core.tls.TestCertificates;

/**
 * {@code rproxy fetch https://...} speaks HTTP/1.1 to a server that prefers HTTP/2 by ALPN (the
 * front end's own TLS context, {@code h2} first), as over plain http ({@link FetchOffersNoHttp2Test}),
 * and the document it fetches verifies. The server is an {@link AlpnRelay} before a real signing
 * origin, with a self-signed certificate given by {@code --ca}; a JDK client left at its default
 * is given {@code h2} there, so the preference is real. Real TLS on loopback.
 */
class FetchOverTlsOffersNoHttp2Test {
    @TempDir
    Path dir;

    @Test
    void anHttpsSourcePreferringHttp2IsFetchedInHttp11AndVerified() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "relay-tls");
        try (SignedOrigin origin = SignedOrigin.start(dir, false);
             AlpnRelay relay = new AlpnRelay(cert, origin.origin().address())) {
            HttpClient offeringH2 = HttpClient.newBuilder().sslContext(cert.trustingContext()).build();
            HttpResponse<String> r = offeringH2.send(HttpRequest.newBuilder(URI.create(relay.base() + "/directory")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, r.version(), "the server takes h2 when offered");

            String url = relay.base() + "/prop/pid";
            CommandRun run = CommandRun.of("fetch", url, "--trust", origin.pub().toString(), "--ca", cert.cert().toString());
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VALID default-network-map path=/prop/pid "), run.toString());
            // the JDK asked for HTTP/1.1 offers no ALPN at all ("none"), which leaves the server HTTP/1.1
            assertEquals(2, relay.negotiated.size(), relay.negotiated.toString());
            assertTrue(!relay.negotiated.get(1).equals("h2"), "the fetch's connection did not negotiate h2: " + relay.negotiated);
            assertEquals("GET /prop/pid HTTP/1.1", relay.firstLines.get(1), "and spoke it: " + relay.firstLines);
        }
    }
}
