package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * The access log over a real socket: a request to a real front end on a loopback port gives one
 * line with every field (client, method, path, protocol, status, bytes, duration, cache result,
 * variant), the same fields as key-value pairs, and a path that would break the line escaped;
 * over HTTP/2 the protocol says so, and a 304 names the variant it confirms.
 */
class AccessLogTest {
    private static final Pattern LINE = Pattern.compile("client=127\\.0\\.0\\.1 method=(\\S+) path=(\\S+)"
            + " protocol=(\\S+) status=(\\d{3}) bytes=(\\d+) duration_ms=(\\d+\\.\\d{3}) cache=(\\S+)"
            + " encoding=(identity|gzip) dialect=(json|xml)");

    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private Level before;
    private CapturedLogs logs;
    private AltoHttpServer server;

    @BeforeEach
    void start() {
        before = logger.getLevel();
        logger.setLevel(Level.INFO);
        logs = CapturedLogs.of(AccessLog.LOGGER);
        AltoService service = request -> CompletableFuture.completedFuture(request.path().equals("/doc")
                ? Reply.ok(Fixtures.withGzip(), CacheStatus.HIT)
                : Reply.error(AltoError.invalidValue("uri", request.path(), "no such resource").withStatus(404),
                        Dialect.JSON));
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), service, new AccessLog());
    }

    @AfterEach
    void stop() {
        server.close();
        logs.close();
        logger.setLevel(before);
    }

    @Test
    void aRequestOverARealSocketIsOneLineWithEveryField() throws Exception {
        String answer = exchange("GET /doc HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        ILoggingEvent e = logs.await(x -> x.getFormattedMessage().contains("path=/doc"), Duration.ofSeconds(10));
        Matcher m = LINE.matcher(e.getFormattedMessage());
        assertTrue(m.matches(), e.getFormattedMessage());
        assertEquals("GET", m.group(1));
        assertEquals("HTTP/1.1", m.group(3));
        assertEquals("200", m.group(4));
        assertEquals(Fixtures.withGzip().gzip().body().length(), Integer.parseInt(m.group(5)));
        assertEquals("hit", m.group(7));
        assertEquals("gzip", m.group(8));
        assertEquals("json", m.group(9));
        assertEquals(Level.INFO, e.getLevel());
        Map<String, Object> kv = new LinkedHashMap<>();
        for (KeyValuePair p : e.getKeyValuePairs()) {
            kv.put(p.key, p.value);
        }
        assertEquals(java.util.List.of("client", "method", "path", "protocol", "status", "bytes", "duration_ms", "cache",
                "encoding", "dialect"), java.util.List.copyOf(kv.keySet()));
        assertEquals(200, kv.get("status"));
        assertEquals("gzip", kv.get("encoding"));
        assertEquals(Double.parseDouble(m.group(6)), (Double) kv.get("duration_ms"), 1e-9);
    }

    @Test
    void aPathThatWouldBreakTheLineIsEscapedAndAnErrorHasNoCacheResult() throws Exception {
        String answer = exchange("GET /a%0Ab%20c%22 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 404 "), answer);
        ILoggingEvent e = logs.await(x -> x.getFormattedMessage().contains("status=404"), Duration.ofSeconds(10));
        Matcher m = LINE.matcher(e.getFormattedMessage());
        assertTrue(m.matches(), e.getFormattedMessage());
        assertEquals("/a\\x0Ab\\x20c\\x22", m.group(2));
        assertEquals("-", m.group(7));
        assertEquals("identity", m.group(8));
    }

    @Test
    void anHttp2RequestAndA304SayTheirProtocolAndTheVariantTheyConfirm() throws Exception {
        try (Http2TestClient client = new Http2TestClient(
                new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), null)) {
            Http2TestClient.Call match = client.open("GET", "/doc", null, "accept-encoding", "gzip",
                    "if-none-match", Fixtures.GZIP_TAG);
            assertEquals(304, match.status());
        }
        ILoggingEvent e = logs.await(x -> x.getFormattedMessage().contains("status=304"), Duration.ofSeconds(10));
        Matcher m = LINE.matcher(e.getFormattedMessage());
        assertTrue(m.matches(), e.getFormattedMessage());
        assertEquals("HTTP/2.0", m.group(3));
        assertEquals("0", m.group(5));
        assertEquals("hit", m.group(7));
        assertEquals("gzip", m.group(8));
    }

    private String exchange(String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), server.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
