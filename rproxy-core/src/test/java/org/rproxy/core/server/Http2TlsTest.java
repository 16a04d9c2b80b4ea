package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * Over TLS the front end offers {@code h2} by ALPN and falls back to HTTP/1.1: the JDK's client,
 * which only speaks HTTP/2 when ALPN chose it, gets HTTP/2 when it asks for it and HTTP/1.1
 * otherwise, with the same answer either way.
 */
class Http2TlsTest {

    @TempDir
    static Path dir;
    private static AltoHttpServer server;
    private static HttpClient.Builder clients;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        Path crt = cert.cert();
        Path key = cert.key();
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0)
                        .withSslContext(Tls.server(new TlsConfig(crt, key))),
                request -> CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip())),
                RequestObserver.noop(), EmbeddedFrontEnd.CLOCK);
        clients = HttpClient.newBuilder().sslContext(Tls.jdkClient(crt)).connectTimeout(Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void alpnChoosesHttp2WhenTheClientOffersIt() throws Exception {
        HttpResponse<String> r = get(HttpClient.Version.HTTP_2);
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(200, r.statusCode());
        assertEquals(Fixtures.JSON, r.body());
    }

    @Test
    void aClientOfferingOnlyHttp11GetsHttp11() throws Exception {
        HttpResponse<String> r = get(HttpClient.Version.HTTP_1_1);
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        assertEquals(200, r.statusCode());
        assertEquals(Fixtures.JSON, r.body());
    }

    private static HttpResponse<String> get(HttpClient.Version version) throws Exception {
        HttpClient client = clients.version(version).build();
        URI uri = URI.create("https://localhost:" + server.localAddress().getPort() + "/doc");
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
