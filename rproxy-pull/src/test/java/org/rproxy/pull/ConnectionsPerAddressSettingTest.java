package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * {@code listen.max-connections-per-address} in a pull proxy's settings reaches its front end: with
 * a limit of 1, a second connection from {@code 127.0.0.1} while the first is open is answered 503
 * for its address, and {@code 127.0.0.2} is still served.
 */
class ConnectionsPerAddressSettingTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final TestSigner ORIGIN = new TestSigner();
    private static final int WAIT_MILLIS = 10_000;

    @TempDir
    Path dir;

    /** Answers every GET with a document signed for its path. */
    private static RawUpstream.Answer signed() {
        return (head, s) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            Variant v = ORIGIN.sign(target, "{\"a\":1}", false, NOW, Duration.ofHours(1), 60).identity();
            List<String> headers = new ArrayList<>();
            v.headers().forEach(h -> headers.add(h.name() + ": " + h.value()));
            headers.add("cache-control: max-age=60");
            RawUpstream.respond(200, headers, v.body().unsafeArray()).answer(head, s);
        };
    }

    @Test
    void theSettingHoldsOneAddressToItsLimit() throws Exception {
        Path pub = ORIGIN.writePublic(dir.resolve("origin.pem"));
        try (RawUpstream up = new RawUpstream(signed());
             PullProxy proxy = PullProxy.start(new ProxyConfig(ProxyConfig.Mode.PULL, "p",
                     new ListenConfig(new Address("127.0.0.1", 0), null, null, null, null, null, null, null, null, 1),
                     UpstreamConfig.of(URI.create(up.url()), List.of(pub)).withTimeout(Duration.ofSeconds(20)),
                     new CacheConfig(ByteSize.ofMegabytes(16)),
                     new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1),
                             Duration.ofSeconds(1), Duration.ofHours(1)), null), new MutableClock(NOW), UnaryOperator.identity());
             Socket first = connect(proxy, "127.0.0.1")) {
            assertTrue(get(first).startsWith("HTTP/1.1 200 ")); // served: it holds the address's place
            try (Socket second = connect(proxy, "127.0.0.1"); Socket other = connect(proxy, "127.0.0.2")) {
                String refused = answer(second);
                assertTrue(refused.startsWith("HTTP/1.1 503 "), refused);
                assertTrue(refused.endsWith("too many connections from this address (1 at most); close one, or retry"
                        + " later\n"), refused);
                assertTrue(get(other).startsWith("HTTP/1.1 200 "), "another address is served");
            }
        }
    }

    private static Socket connect(PullProxy proxy, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        URI base = URI.create(proxy.baseUri());
        s.connect(new InetSocketAddress("127.0.0.1", base.getPort()), WAIT_MILLIS);
        s.setSoTimeout(WAIT_MILLIS);
        return s;
    }

    private static String get(Socket s) throws IOException {
        s.getOutputStream().write("GET /networkmap/a HTTP/1.1\r\nHost: p\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return answer(s);
    }

    /** One answer's head and body (its Content-Length). */
    private static String answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int length = Integer.parseInt(h.toLowerCase(java.util.Locale.ROOT).replaceAll("(?s).*content-length: (\\d+).*", "$1"));
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
