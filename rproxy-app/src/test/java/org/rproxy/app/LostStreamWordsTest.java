package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.testing.RefusedPort;

/**
 * A push proxy's readiness says of a lost stream what the client library ({@link TransportFailures},
 * and so {@code rproxy fetch}) says of the same failure: one wording. Real failures: a host name
 * that cannot resolve (RFC 6761 reserves {@code .invalid}), a closed loopback port, and an https
 * origin whose self-signed certificate neither trusts.
 */
class LostStreamWordsTest {
    @TempDir
    Path dir;

    @Test
    void anUnknownHostReadsAlikeFromThePushFeedAndTheClient() throws Exception {
        String words = lostWith(URI.create("http://nowhere.invalid:1"));
        assertEquals("the host name does not resolve", words);
    }

    @Test
    void aRefusedPortReadsAlikeFromThePushFeedAndTheClient() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            assertEquals("connection refused", lostWith(URI.create("http://127.0.0.1:" + refused.port())));
        }
    }

    @Test
    void anUntrustedCertificateReadsAlikeFromThePushFeedAndTheClient() throws Exception {
        try (SignedOrigin origin = SignedOrigin.start(dir, true)) {
            String words = lostWith(URI.create(origin.url("")));
            assertTrue(words.startsWith("the server's certificate is not accepted: "), words);
        }
    }

    /** The client's words for a request to {@code upstream}, once the push feed's readiness says the same. */
    private String lostWith(URI upstream) throws Exception {
        IOException e = assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(upstream.resolve("/directory")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.discarding()));
        String tls = TransportFailures.tls(e); // as the client and rproxy fetch ask: TLS first
        String words = tls != null ? tls : TransportFailures.of(e);
        ProxyConfig c = new ProxyConfig(ProxyConfig.Mode.PUSH, "push-1", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(upstream, List.of(SignedOrigin.anyKey(dir))), null, null,
                new AdminConfig(new Address("127.0.0.1", 0)));
        try (PushPullProxy proxy = PushMode.start(c, 0)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String why = proxy.feed().notReadyBecause();
            while ((why == null || !why.contains("directory: ")) && System.nanoTime() < deadline) {
                Thread.sleep(20); // polled with a deadline: the feed's first attempt fails on its own thread
                why = proxy.feed().notReadyBecause();
            }
            assertTrue(why != null && why.endsWith("directory: " + words), "the push feed: " + why + "; the client: " + words);
        }
        return words;
    }
}
