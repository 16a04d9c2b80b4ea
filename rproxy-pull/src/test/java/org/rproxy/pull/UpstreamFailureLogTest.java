package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.core.testing.TestSigner;

/**
 * What a pull proxy logs when its upstream fails (real sockets: a raw loopback upstream and the
 * JDK's HTTP client): an operational event, so one line at WARN naming the upstream, the target
 * and what happened (the timeout, a refused or reset connection, a body over max-body, a malformed
 * answer, a refused signature, a gzip answer where identity was asked for, a 5xx, a 404 for a
 * prefetched target), never a stack trace; a tracked target once per failure streak,
 * and the misses clients ask for at most once per interval in all.
 */
class UpstreamFailureLogTest {
    /** The upstream timeout where a check waits it out: an upstream that never answers. */
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /**
     * The upstream timeout where a check waits for an answer or a close: ample, since the short
     * one could pass first on a busy machine (a 503 was once logged as "no answer within 300 ms").
     */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(20);
    /** The proxies' clock, where the signatures the raw upstream sends are made. */
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    /** The origin key the proxies trust. */
    private static final TestSigner ORIGIN = new TestSigner();

    /** An upstream answering what is not HTTP. */
    private static final RawUpstream.Answer MALFORMED = (head, s) -> {
        s.getOutputStream().write("NOT HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    };

    @TempDir
    Path dir;

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("timeout", RawUpstream.STALL, "no answer within 300 ms"),
                Arguments.of("reset", RawUpstream.RESET, "reset"),
                Arguments.of("too large", (RawUpstream.Answer) (head, s) -> {
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\ncontent-length: 100000000\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                }, "100000000 bytes declared"),
                Arguments.of("malformed", MALFORMED, "malformed"),
                Arguments.of("bad signature", RawUpstream.respond(200, List.of("content-type: application/alto-networkmap+json",
                        "signature-input: alto=(\"content-digest\");created=1;keyid=\"x\"", "signature: alto=:AAAA:"),
                        "{}".getBytes(StandardCharsets.UTF_8)), "refused upstream answer"),
                Arguments.of("server error", RawUpstream.respond(503, List.of(), new byte[0]), "answered 503"),
                // asked for gzip: a valid gzip answer; asked for identity: the same gzip answer again
                Arguments.of("gzip for identity beside gzip", signedGzip(NOW, NOW),
                        "the identity answer does not match the gzip one"),
                // asked for gzip: an expired gzip answer (so identity alone is asked for); then a gzip answer
                Arguments.of("gzip for identity alone", signedGzip(NOW.minus(Duration.ofHours(2)), NOW),
                        "a gzip answer to a request for identity"));
    }

    /**
     * Answers every GET with the gzip variant of a document signed by {@link #ORIGIN} for the
     * path asked, valid: created at {@code forGzip} when gzip was asked for (an hour's validity),
     * at {@code otherwise} when not.
     */
    private static RawUpstream.Answer signedGzip(Instant forGzip, Instant otherwise) {
        return (head, s) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            boolean gzip = head.toLowerCase(java.util.Locale.ROOT).contains("accept-encoding: gzip");
            Variant v = ORIGIN.sign(target, "{}", true, gzip ? forGzip : otherwise, Duration.ofHours(1), 60).gzip();
            List<String> headers = v.headers().stream().map(h -> h.name() + ": " + h.value()).toList();
            RawUpstream.respond(200, headers, v.body().unsafeArray()).answer(head, s);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void anUpstreamFailureIsOneWarningLineWithoutAStack(String name, RawUpstream.Answer answer, String says)
            throws Exception {
        try (RawUpstream up = new RawUpstream(answer)) {
            checkLogged(up.url(), says, answer == RawUpstream.STALL ? TIMEOUT : ANSWER_WAIT);
        }
    }

    /** A prefetched target the upstream answers 404 for: one warning, naming the upstream that said so. */
    @Test
    void aPrefetchedTargetTheUpstreamHasNotIsOneWarningNamingTheUpstream() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        try (RawUpstream up = new RawUpstream(RawUpstream.respond(404, List.of("content-type: application/alto-error+json"),
                "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"uri\"}}".getBytes(StandardCharsets.UTF_8)));
             CapturedLogs logs = CapturedLogs.of("org.rproxy");
             // an answer is awaited here, not a timeout
             PullProxy proxy = PullProxy.start(withTimeout(config(up.url()), ANSWER_WAIT), clock,
                     UnaryOperator.identity())) {
            proxy.refreshNow().get();
            ILoggingEvent e = logs.await(ev -> ev.getFormattedMessage().contains("GET /directory")
                    && ev.getLevel().isGreaterOrEqual(Level.WARN), Duration.ofSeconds(10));
            String line = e.getFormattedMessage();
            assertTrue(line.contains("answered 404"), line);
            assertTrue(line.contains(up.url().substring("http://".length())), "names the upstream: " + line);
        }
    }

    @Test
    void aRefusedConnectionIsOneWarningLineWithoutAStack() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            checkLogged("http://127.0.0.1:" + port, "cannot connect", ANSWER_WAIT);
        }
    }

    /**
     * The directory (prefetched, so tracked) and a miss each logged once, as one line naming what
     * failed, by a proxy whose upstream timeout is {@code timeout}.
     */
    private void checkLogged(String upstream, String says, Duration timeout) throws Exception {
        String where = upstream.substring("http://".length());
        MutableClock clock = new MutableClock(NOW);
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy");
             PullProxy proxy = PullProxy.start(withTimeout(config(upstream), timeout), clock, UnaryOperator.identity())) {
            int status = get(proxy, "/networkmap/a");
            assertTrue(status == 502 || status == 504, "status " + status);
            proxy.refreshNow().get(); // the directory's first attempt has ended (and been logged)
            for (String target : List.of("GET /directory", "GET /networkmap/a")) {
                ILoggingEvent e = logs.await(ev -> ev.getFormattedMessage().contains(target)
                        && ev.getLevel().isGreaterOrEqual(Level.WARN), Duration.ofSeconds(10));
                String line = e.getFormattedMessage();
                assertEquals(Level.WARN, e.getLevel(), line);
                assertTrue(line.contains(says), line);
                assertFalse(line.contains("\n") || line.contains("\r"), "one line: " + line);
                assertTrue(line.contains(where), "names the upstream " + where + ": " + line);
            }
            for (ILoggingEvent e : logs.events()) {
                if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                    assertNull(e.getThrowableProxy(), "a stack with " + e.getFormattedMessage());
                }
            }
        }
    }

    /**
     * A proxy stopped while its first fetch waits for the upstream's answer cut that fetch itself:
     * no upstream failed, so nothing is logged at WARN.
     */
    @Test
    void aFetchCutByTheProxysOwnStopIsNoUpstreamFailure() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        try (RawUpstream up = new RawUpstream((head, s) -> {
                asked.countDown();
                RawUpstream.STALL.answer(head, s);
            });
             CapturedLogs logs = CapturedLogs.of("org.rproxy")) {
            PullProxy proxy = PullProxy.start(withTimeout(config(up.url()), ANSWER_WAIT), clock,
                    UnaryOperator.identity());
            try {
                assertTrue(asked.await(10, java.util.concurrent.TimeUnit.SECONDS), "the first fetch is under way");
            } finally {
                proxy.close();
            }
            List<String> warnings = logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(List.of(), warnings);
        }
    }

    /**
     * Misses that fail are logged once per interval, and the interval is the monotonic clock's,
     * not the proxy's: its clock stepped on (as an NTP step or a test moves it) lets no line through
     * early, so a clock stepped back cannot hold lines back either. The count held back is worded
     * by {@code RateLimitedLog} (its test). The upstream answers what is not HTTP: an upstream that
     * does not answer is an outage, which counts the misses failing in it instead.
     */
    @Test
    void missesThatFailAreLoggedOncePerIntervalWhateverTheProxysClockDoes() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        try (RawUpstream up = new RawUpstream(MALFORMED);
             CapturedLogs logs = CapturedLogs.of(Attempts.class);
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            assertEquals(502, get(proxy, "/networkmap/a"));
            logs.awaitMessage("GET /networkmap/a", Duration.ofSeconds(10));
            assertEquals(502, get(proxy, "/networkmap/b"));
            clock.advance(Duration.ofHours(1));
            // each answer follows its failure's line, or its holding back
            assertEquals(502, get(proxy, "/networkmap/c"));
            assertTrue(logs.events().stream().noneMatch(e -> e.getFormattedMessage().contains("/networkmap/b")
                    || e.getFormattedMessage().contains("/networkmap/c")), "held back within the interval");
        }
    }

    /** The status of a GET of {@code target} from {@code proxy}. */
    static int get(PullProxy proxy, String target) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + target)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static ProxyConfig withTimeout(ProxyConfig config, Duration timeout) {
        return config.withUpstream(config.upstream().withTimeout(timeout));
    }

    private ProxyConfig config(String upstream) throws IOException {
        Path pub = ORIGIN.writePublic(dir.resolve("origin-" + System.nanoTime() + ".pem"));
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(TIMEOUT),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
    }
}
