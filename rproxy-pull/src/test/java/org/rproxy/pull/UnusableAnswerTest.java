package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.slf4j.LoggerFactory;

/**
 * An upstream that answers, but answers some documents with what a pull proxy cannot take (a
 * body over {@code max-body}, bytes that are not HTTP), is up (real sockets: a raw loopback
 * upstream): each such document fails on its own, one WARN naming it, and is served from its
 * held copy meanwhile; a client with no copy gets {@code 502}, as for an answer that does not
 * verify. Such an answer was taken for no answer at all: the first began an outage ("upstream
 * stopped answering: upstream failed: upstream ... sent a body of ...") though the upstream
 * answered every request, the others included.
 */
class UnusableAnswerTest {
    private static final TestSigner ORIGIN = new TestSigner();
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The proxy's {@code max-body}: a declared length past it is refused at the head. */
    private static final long MAX_BODY = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void documentsAnsweredWhatCannotBeUsedFailOnTheirOwnNotAsAnOutage() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (RawUpstream up = new RawUpstream(signed(clock));
             CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            hot(proxy, clock);
            int before = logs.count();

            up.answer = unusableFor(up.answer);
            clock.advance(Duration.ofSeconds(58)); // within 5 s of max-age (60 s): every document refreshed
            proxy.refreshNow().get();
            clock.advance(Duration.ofSeconds(3)); // past the retry pause (at most 1 s): the two tried again
            proxy.refreshNow().get();

            List<String> warnings = logs.events().subList(before, logs.count()).stream()
                    .filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(warnings.stream().noneMatch(w -> w.contains("upstream stopped answering")
                    || w.contains("upstream failing for every document")), "no outage: " + warnings);
            assertEquals(1, warnings.stream().filter(w -> w.startsWith("GET /costmap/c0: upstream answer unusable: ")
                    && w.contains("127.0.0.1:" + up.port()) && w.contains("max-body")
                    && w.endsWith("; serving the held copy while it is valid")).count(), "c0's own line: " + warnings);
            assertEquals(1, warnings.stream().filter(w -> w.startsWith("GET /costmap/c1: upstream answer unusable: "
                    + "malformed response from 127.0.0.1:" + up.port())).count(), "c1's own line: " + warnings);
            for (String t : List.of("/costmap/c0", "/costmap/c1", "/costmap/c2")) {
                assertEquals(200, UpstreamFailureLogTest.get(proxy, t), t + " served from the held copy");
            }
            assertEquals(502, UpstreamFailureLogTest.get(proxy, "/costmap/new"), "a miss answered what cannot be used");
        }
    }

    /**
     * The upstream stops, and comes back answering two documents what cannot be used: the outage
     * ends once it answers again, those documents' answers among the answers. They were taken for
     * no answer: the outage lasted (a reminder a minute, "upstream still not answering") until they
     * were answered or forgotten. Its end line counts them apart from the documents refreshed
     * (they were counted as refreshed: "4 documents refreshed"), and each is told on its own line
     * (nothing was: its earlier failure was the outage's).
     */
    @Test
    void anOutageEndsWhenTheUpstreamIsBackThoughItAnswersOneDocumentWhatCannotBeUsed() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream up = new RawUpstream(signed(clock));
        int port = up.port();
        Logger outage = (Logger) LoggerFactory.getLogger(UpstreamOutage.class);
        Level level = outage.getLevel();
        outage.setLevel(Level.INFO); // its end is told at INFO
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            hot(proxy, clock);
            up.close(); // the upstream stops
            clock.advance(Duration.ofSeconds(58));
            proxy.refreshNow().get();
            assertTrue(logs.events().stream().anyMatch(e -> e.getFormattedMessage().contains("upstream stopped answering")),
                    "the outage told");
            int down = logs.count();

            try (RawUpstream again = new RawUpstream(unusableFor(signed(clock)), port)) { // back, c0 and c1 unusable
                assertEquals(port, again.port());
                clock.advance(Duration.ofSeconds(3)); // past the retry pause (at most 1 s)
                proxy.refreshNow().get();
                List<String> infos = logs.events().subList(down, logs.count()).stream()
                        .filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage).toList();
                List<String> ends = infos.stream().filter(i -> i.startsWith("upstream answers again after ")).toList();
                assertEquals(1, ends.size(), "the outage ended: " + infos);
                // which documents wait on the outage depends on the attempts' order as it began: the
                // refreshed ones are c2 and the directory, those not refreshed c0 and c1, never another
                String apart = " answered but not refreshed (an error, or an answer refused or that cannot be used): ";
                assertTrue(ends.get(0).contains(apart), "c0 and c1 apart: " + ends.get(0));
                String named = ends.get(0).substring(ends.get(0).indexOf(apart) + apart.length());
                assertTrue(List.of("GET /costmap/c0", "GET /costmap/c1").containsAll(List.of(named.split(", "))),
                        "only c0 and c1 not refreshed: " + ends.get(0));
                List<String> warnings = logs.events().subList(down, logs.count()).stream()
                        .filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
                for (String t : List.of("GET /costmap/c0", "GET /costmap/c1")) {
                    assertEquals(1, warnings.stream().filter(w -> w.startsWith(t + ": upstream answer unusable: ")).count(),
                            t + "'s own line, its failure no longer the outage's: " + warnings);
                }
            }
        } finally {
            outage.setLevel(level);
            up.close();
        }
    }

    /** The documents asked for, fetched and asked for again since (so refreshed ahead of max-age), with the directory. */
    private static List<String> hot(PullProxy proxy, MutableClock clock) throws Exception {
        List<String> targets = List.of("/costmap/c0", "/costmap/c1", "/costmap/c2");
        for (String t : targets) {
            assertEquals(200, UpstreamFailureLogTest.get(proxy, t), t);
        }
        clock.advance(Duration.ofSeconds(1));
        for (String t : targets) {
            assertEquals(200, UpstreamFailureLogTest.get(proxy, t), t);
        }
        return targets;
    }

    /** {@code answer}, but a body over max-body for c0 and {@code new}, bytes that are not HTTP for c1. */
    private static RawUpstream.Answer unusableFor(RawUpstream.Answer answer) {
        return (head, s) -> {
            if (head.startsWith("GET /costmap/c0 ") || head.startsWith("GET /costmap/new ")) {
                write(s, "HTTP/1.1 200 OK\r\ncontent-length: " + (MAX_BODY * 4) + "\r\n\r\n");
            } else if (head.startsWith("GET /costmap/c1 ")) {
                write(s, "NOT HTTP\r\n\r\n");
            } else {
                answer.answer(head, s);
            }
        };
    }

    private static void write(java.net.Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** Every GET answered with a document signed for its path at the proxy's clock's time (max-age a minute). */
    private static RawUpstream.Answer signed(MutableClock clock) {
        return RawUpstream.signedNow(() -> ORIGIN, clock::instant, target -> "max-age=60, stale-if-error=3600");
    }

    private ProxyConfig config(String upstream) throws IOException {
        Path pub = ORIGIN.writePublic(dir.resolve("origin.pem"));
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(WAIT)
                        .withMaxBody(ByteSize.ofBytes(MAX_BODY)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
    }
}
