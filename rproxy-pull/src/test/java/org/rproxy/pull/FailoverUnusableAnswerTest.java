package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.UpstreamClient;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * Two upstreams on real loopback sockets behind a {@link FailoverUpstream}, the preferred one
 * answering some documents what this proxy cannot take: one such document is that document's
 * failure (asked of the fallback, which answers it), and every other request still goes to the
 * preferred upstream; one answering so to document after document, nothing usable between, is
 * left for the fallback. Before, the first such answer marked the preferred upstream down and
 * moved every request to the fallback until its next health check.
 */
class FailoverUnusableAnswerTest {
    private static final TestSigner ORIGIN = new TestSigner();
    /** The clients' max-body: a declared length past it is refused at the head. */
    private static final int MAX_BODY = 1 << 20;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RawUpstream.Answer signed = RawUpstream.signedNow(() -> ORIGIN, clock::instant, t -> "max-age=60");
    /** The request lines the preferred upstream was sent. */
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started) {
            c.close();
        }
    }

    @Test
    void documentsThatCannotBeUsedAtThePreferredUpstreamMoveNoOtherRequestToTheFallback() throws Exception {
        RawUpstream first = upstream((head, s) -> {
            asked.add(line(head));
            if (head.startsWith("GET /costmap/c0 ") || head.startsWith("GET /costmap/c2 ")) {
                write(s, "HTTP/1.1 200 OK\r\ncontent-length: " + (MAX_BODY * 4L) + "\r\n\r\n");
            } else {
                signed.answer(head, s);
            }
        });
        RawUpstream second = upstream(signed);
        FailoverUpstream failover = failover(first, second);

        assertEquals("127.0.0.1:" + second.port(), get(failover, "/costmap/c0").upstream(), "c0 from the fallback");
        assertEquals(URI.create(first.url()), failover.current(), "one document that cannot be used leaves nothing");
        assertEquals("127.0.0.1:" + first.port(), get(failover, "/costmap/c1").upstream());
        get(failover, "/costmap/c2"); // another, with c1 answered between
        for (int retry = 0; retry < 3; retry++) { // the two retried back to back: each failed before
            get(failover, "/costmap/c0");
            get(failover, "/costmap/c2");
        }
        assertEquals(URI.create(first.url()), failover.current(), "still the preferred upstream");
        assertEquals("127.0.0.1:" + first.port(), get(failover, "/costmap/c1").upstream());
        assertEquals(List.of("GET /costmap/c0", "GET /costmap/c1", "GET /costmap/c2", "GET /costmap/c0",
                "GET /costmap/c2", "GET /costmap/c0", "GET /costmap/c2", "GET /costmap/c0", "GET /costmap/c2",
                "GET /costmap/c1"), asked, "every request asked of the preferred upstream first");
    }

    @Test
    void anUpstreamAnsweringWhatCannotBeUsedToDocumentAfterDocumentIsLeftForTheFallback() throws Exception {
        RawUpstream first = upstream((head, s) -> {
            asked.add(line(head));
            write(s, "NOT HTTP\r\n\r\n");
        });
        RawUpstream second = upstream(signed);
        FailoverUpstream failover = failover(first, second);
        try (CapturedLogs logs = CapturedLogs.of(FailoverUpstream.class)) {
            assertEquals("127.0.0.1:" + second.port(), get(failover, "/costmap/c0").upstream());
            assertEquals(URI.create(first.url()), failover.current(), "one document could be the document's fault");
            assertEquals("127.0.0.1:" + second.port(), get(failover, "/costmap/c1").upstream());
            assertEquals(URI.create(second.url()), failover.current(), "a second, nothing usable between: broken");
            List<String> lines = logs.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(lines.stream().anyMatch(m -> m.startsWith("upstream " + first.url() + " is down ("
                    + "malformed response from 127.0.0.1:" + first.port()) && m.endsWith("; another document was "
                    + "answered so before it, nothing usable between)")), lines.toString());
        }
        get(failover, "/costmap/c2");
        assertEquals(List.of("GET /costmap/c0", "GET /costmap/c1"), asked, "c2 asked of the fallback only");
    }

    /**
     * Two maps grown past {@code max-body} at once, at every upstream: their first fetches, back
     * to back, are the documents' failure, and no upstream is marked down. The second document's
     * answer marked the preferred upstream down ("another document was answered so before it"),
     * then the fallback, both for nothing: each answered what its siblings did.
     */
    @Test
    void twoDocumentsThatCannotBeUsedAtEveryUpstreamMarkNoUpstreamDown() throws Exception {
        RawUpstream.Answer oversized = (head, s) -> {
            asked.add(line(head));
            if (head.startsWith("GET /costmap/c0 ") || head.startsWith("GET /costmap/c2 ")) {
                write(s, "HTTP/1.1 200 OK\r\ncontent-length: " + (MAX_BODY * 4L) + "\r\n\r\n");
            } else {
                signed.answer(head, s);
            }
        };
        RawUpstream first = upstream(oversized);
        RawUpstream second = upstream(oversized);
        FailoverUpstream failover = failover(first, second);
        try (CapturedLogs logs = CapturedLogs.of(FailoverUpstream.class)) {
            for (String target : List.of("/costmap/c0", "/costmap/c2")) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> failover.send(
                        UpstreamRequest.get(target, List.of())).get(WAIT.toSeconds() * 2, TimeUnit.SECONDS), target);
                assertTrue(String.valueOf(e.getCause().getMessage()).contains("sent a body of"), e.toString());
            }
            assertEquals(List.of(), logs.events().stream().map(ILoggingEvent::getFormattedMessage).toList(),
                    "no upstream down, nor requests moved");
        }
        assertEquals("127.0.0.1:" + first.port(), get(failover, "/costmap/c1").upstream());
        assertEquals(List.of("GET /costmap/c0", "GET /costmap/c0", "GET /costmap/c2", "GET /costmap/c2",
                "GET /costmap/c1"), asked, "each document asked of the preferred upstream, then the fallback");
    }

    private RawUpstream upstream(RawUpstream.Answer answer) throws IOException {
        RawUpstream u = new RawUpstream(answer);
        started.add(u);
        return u;
    }

    private FailoverUpstream failover(RawUpstream... ups) {
        List<UpstreamClient> clients = new ArrayList<>();
        for (RawUpstream u : ups) {
            UpstreamClient c = UpstreamClient.start(
                    new UpstreamClient.Settings("127.0.0.1", u.port(), null, 2, WAIT, WAIT, MAX_BODY, 1));
            started.add(c);
            clients.add(c);
        }
        List<URI> urls = Arrays.stream(ups).map(u -> URI.create(u.url())).toList();
        return new FailoverUpstream(urls, clients, new ResponseVerifier(List.of(ORIGIN.publicKey()), clock), Runnable::run);
    }

    private static UpstreamResponse get(FailoverUpstream failover, String target) throws Exception {
        UpstreamResponse r = failover.send(UpstreamRequest.get(target, List.of())).get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
        assertEquals(200, r.status(), target);
        return r;
    }

    /** A request head's method and target. */
    private static String line(String head) {
        return head.substring(0, head.indexOf(' ', head.indexOf(' ') + 1));
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }
}
