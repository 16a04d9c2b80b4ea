package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * An upstream named by an IPv6 literal, {@code http(s)://[::1]:port/} ({@link URI#getHost} gives
 * it in brackets): it is sent {@code Host: [::1]:port}, one pair of brackets (it was sent
 * {@code [[::1]]:port}), and over https its certificate is checked for the bare address
 * {@code ::1}. A real front end on the IPv6 loopback, which the test needs (skipped without it).
 */
class UpstreamIpv6Test {
    @TempDir
    static Path dir;

    private static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return s.isBound();
        } catch (Exception e) {
            return false;
        }
    }

    /** A front end on {@code ::1} answering each request with the Host field it was sent. */
    private static AltoHttpServer server(SslContext tls) {
        FrontEndConfig config = FrontEndConfig.defaults("::1", 0);
        return AltoHttpServer.start(tls == null ? config : config.withSslContext(tls), request -> {
            Instant now = Instant.now();
            Variant v = new Variant(Bytes.wrap(("host " + request.host()).getBytes(StandardCharsets.UTF_8)), null,
                    List.of(new HeaderField("content-type", "text/plain")));
            return CompletableFuture.completedFuture(Reply.ok(new Representation(v, null, 60, now, now.plusSeconds(3600))));
        });
    }

    private static String hostSent(URI url, Path ca) throws Exception {
        try (UpstreamClient client = UpstreamClient.start(UpstreamClient.Settings.of(url, ca, 1, Duration.ofSeconds(5),
                1 << 20))) {
            UpstreamResponse r = client.send(UpstreamRequest.get("/a", List.of())).get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("[::1]:" + url.getPort(), r.upstream(), "names the upstream as the Host field does");
            return r.body().asUtf8();
        }
    }

    @Test
    void anIpv6LiteralUpstreamIsSentItsAddressInOnePairOfBrackets() throws Exception {
        assumeTrue(ipv6Loopback(), "no ::1 on this machine");
        AltoHttpServer server = server(null);
        try {
            int port = server.localAddress().getPort();
            assertEquals("host [::1]:" + port, hostSent(URI.create("http://[::1]:" + port + "/"), null));
        } finally {
            server.close();
        }
    }

    @Test
    void anHttpsIpv6LiteralUpstreamsCertificateIsCheckedForTheBareAddress() throws Exception {
        assumeTrue(ipv6Loopback(), "no ::1 on this machine");
        TestCertificates cert = TestCertificates.make(dir, "v6"); // names ::1 among others
        AltoHttpServer server = server(Tls.server(new TlsConfig(cert.cert(), cert.key())));
        try {
            int port = server.localAddress().getPort();
            assertEquals("host [::1]:" + port, hostSent(URI.create("https://[::1]:" + port + "/"), cert.cert()));
        } finally {
            server.close();
        }
    }

    @Test
    void theAuthorityIsBuiltOneWay() {
        assertEquals("::1", Address.bare("[::1]"));
        assertEquals("::1", Address.bare("::1"));
        assertEquals("[::1]:8080", Address.authority("[::1]", 8080));
        assertEquals("[::1]:8080", Address.authority("::1", 8080));
        assertEquals("example.net:443", Address.authority("example.net", 443));
        assertEquals("::1", new UpstreamClient.Settings("[::1]", 1, null, 1, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, 1).host());
    }
}
