package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.tls.AlpnRelay;
import org.rproxy.core.tls.TestCertificates;

/**
 * The client speaks HTTP/1.1 to an https source too, whose server prefers HTTP/2 by ALPN (the
 * front end's own TLS context, {@code h2} first): it offers no {@code h2}, so the server's
 * preference cannot switch it (the JDK keeps an HTTP/2 connection after refusing an answer on it,
 * reading whatever the source sends on), and what it fetches over TLS verifies. The server is an
 * {@link AlpnRelay} before a real signing origin, with a self-signed certificate the client trusts
 * as client-library.md says ({@link ClientOptions#withSslContext}); real TLS on loopback. A JDK
 * client left at its default is given {@code h2} there, so the preference is real.
 */
class Http2PreferringTlsSourceTest {
    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void anHttpsSourcePreferringHttp2IsSpokenToInHttp11AndWhatItServesVerifies() throws Exception {
        LocalOrigin origin = started.add(LocalOrigin.start(dir, List.of()));
        TestCertificates cert = TestCertificates.make(dir, "relay-tls");
        AlpnRelay relay = started.add(new AlpnRelay(cert, origin.origin.address()));

        HttpClient offeringH2 = HttpClient.newBuilder().sslContext(cert.trustingContext()).build();
        HttpResponse<String> r = offeringH2.send(HttpRequest.newBuilder(URI.create(relay.base() + "/directory")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "the server takes h2 when offered");
        assertEquals(List.of("h2"), relay.negotiated);

        try (AltoClient c = AltoClient.bootstrap(ClientOptions.of(URI.create(relay.base()), KeyPin.ofKeyId(origin.keyId()))
                .withSslContext(cert.trustingContext()))) {
            LocalAnswers a = c.refreshMaps();
            assertEquals(5.0, a.cost("128.36.1.5", "130.132.3.9").orElseThrow(), 0.0);
            assertEquals(URI.create(relay.base() + LocalOrigin.COST_MAP), c.fetch(LocalOrigin.COST_MAP).source(),
                    "fetched over TLS, and verified");
        }
        List<String> byClient = relay.negotiated.subList(1, relay.negotiated.size());
        List<String> lines = relay.firstLines.subList(1, relay.firstLines.size());
        // the JDK asked for HTTP/1.1 offers no ALPN at all ("none"), which leaves the server HTTP/1.1
        assertTrue(!byClient.isEmpty() && byClient.stream().noneMatch("h2"::equals),
                () -> "the client's connections did not negotiate h2: " + relay.negotiated);
        assertTrue(lines.stream().allMatch(l -> l.startsWith("GET /") && l.endsWith(" HTTP/1.1")),
                () -> "and spoke it: " + relay.firstLines);
    }
}
