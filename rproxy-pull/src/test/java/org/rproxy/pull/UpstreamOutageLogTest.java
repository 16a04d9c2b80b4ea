package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.slf4j.LoggerFactory;

/**
 * An upstream restart while a pull proxy holds many documents (real sockets: a raw loopback
 * upstream stopped, and started again on its port): the log says so in one WARN when it stops
 * answering and one INFO when it answers again, not a line per document held each way. And one
 * document the upstream fails while it answers the others is that document's failure, not an
 * outage.
 */
class UpstreamOutageLogTest {
    private static final TestSigner ORIGIN = new TestSigner();
    private static final int DOCUMENTS = 40;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final Logger pull = (Logger) LoggerFactory.getLogger("org.rproxy.pull");
    private Level level;

    /** The upstream's return is told at INFO. */
    @BeforeEach
    void atInfo() {
        level = pull.getLevel();
        pull.setLevel(Level.INFO);
    }

    @AfterEach
    void levelAsItWas() {
        pull.setLevel(level);
    }

    @Test
    void anUpstreamRestartIsOneWarningAndOneInfoWhateverTheDocumentsHeld() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream.Answer signed = signedNow(clock);
        RawUpstream up = new RawUpstream(signed);
        int port = up.port();
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            List<String> targets = new ArrayList<>();
            for (int i = 0; i < DOCUMENTS; i++) {
                targets.add("/costmap/c" + i);
            }
            for (String t : targets) {
                assertEquals(200, get(proxy, t), t);
            }
            clock.advance(Duration.ofSeconds(1));
            for (String t : targets) {
                assertEquals(200, get(proxy, t), t); // asked for since fetched: refreshed ahead of max-age
            }
            int before = logs.count();

            up.close(); // the upstream stops
            clock.advance(Duration.ofSeconds(58)); // within 5 s of max-age (60 s)
            proxy.refreshNow().get();
            clock.advance(Duration.ofSeconds(3)); // past the retry pause (at most 1 s): every one fails again
            proxy.refreshNow().get();
            List<ILoggingEvent> down = logs.events().subList(before, logs.count());
            List<String> warnings = at(down, Level.WARN);
            assertEquals(1, warnings.size(), "one warning for the outage: " + warnings);
            String warning = warnings.get(0);
            // the reason: refused, or a pooled connection found closed; either names the upstream
            assertTrue(warning.contains("upstream stopped answering") && warning.contains("127.0.0.1:" + port),
                    warning);
            assertTrue(warning.contains((DOCUMENTS + 1) + " documents held wait on it"), warning); // and the directory
            for (String t : targets) {
                assertEquals(200, get(proxy, t), t + " served from the held copy meanwhile");
            }
            int outage = logs.count();

            try (RawUpstream again = new RawUpstream(signed, port)) { // the upstream starts again
                assertEquals(port, again.port());
                clock.advance(Duration.ofSeconds(3));
                proxy.refreshNow().get();
                List<ILoggingEvent> back = logs.events().subList(outage, logs.count());
                assertEquals(List.of(), at(back, Level.WARN));
                List<String> infos = at(back, Level.INFO);
                assertEquals(1, infos.size(), "one line for the upstream's return: " + infos);
                assertTrue(infos.get(0).contains("upstream answers again after 6 s away; " + (DOCUMENTS + 1)
                        + " documents refreshed"), infos.get(0));
            }
        } finally {
            up.close();
        }
    }

    /**
     * A proxy started before its upstream (proxies started in any order, by systemd say) holds
     * nothing: its warning says so. It said "1 documents held wait on it, served while valid",
     * counting the directory it had not fetched yet.
     */
    @Test
    void aProxyStartedBeforeItsUpstreamSaysItHoldsNothing() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream gone = new RawUpstream(signedNow(clock));
        gone.close(); // nothing listens on its port
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(gone.url()), clock, UnaryOperator.identity())) {
            ILoggingEvent warning = logs.await(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("upstream stopped answering"), WAIT);
            assertTrue(warning.getFormattedMessage().endsWith("; no document held yet: what clients ask for waits on it"),
                    warning.getFormattedMessage());
            assertTrue(proxy.notReadyBecause() != null, "not ready, holding nothing");
        }
    }

    /**
     * One document the upstream answers {@code 500} for, lastingly, while it answers the others:
     * that document's failure, said once on its own line and its recovery on another, not an
     * outage of the upstream. It was "upstream stopped answering: upstream ... answered 500 (first
     * for GET /costmap/c0)", recalled every minute ("upstream still not answering") while every
     * other document was refreshed.
     */
    @Test
    void aLastingErrorForOneDocumentIsThatDocumentsFailureNotAnOutage() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicBoolean broken = new AtomicBoolean();
        RawUpstream.Answer signed = signedNow(clock);
        try (RawUpstream up = new RawUpstream(failing(broken, "/costmap/c0 ", signed));
             CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            heldAndHot(proxy, clock, 10);
            int before = logs.count();

            broken.set(true);
            clock.advance(Duration.ofSeconds(58)); // within 5 s of max-age: every document refreshed
            for (int round = 0; round < 4; round++) {
                proxy.refreshNow().get(); // the others refreshed at the first; the failing one tried at each
                clock.advance(UpstreamOutage.REMINDER); // a reminder would be due at every round
            }
            List<ILoggingEvent> failing = logs.events().subList(before, logs.count());
            List<String> warnings = at(failing, Level.WARN);
            assertEquals(1, warnings.size(), "one line for the one document: " + warnings);
            assertTrue(warnings.get(0).contains("/costmap/c0: upstream 127.0.0.1:" + up.port() + " answered 500;"
                    + " serving the held copy while it is valid"), warnings.get(0));
            assertEquals(List.of(), at(failing, Level.INFO), "no outage to end");
            int failed = logs.count();

            broken.set(false);
            clock.advance(Duration.ofSeconds(3)); // past the retry pause of its last failure
            proxy.refreshNow().get();
            List<ILoggingEvent> back = logs.events().subList(failed, logs.count());
            assertEquals(List.of(), at(back, Level.WARN));
            List<String> infos = at(back, Level.INFO);
            assertEquals(1, infos.size(), "its own recovery, once: " + infos);
            assertTrue(infos.get(0).contains("/costmap/c0: upstream answers again"), infos.get(0));
        }
    }

    /**
     * The upstream restarts, and when it is back one document keeps failing with a {@code 500}:
     * the outage ends once the upstream answers the others, saying one fails on its own, which
     * gets its own line. The INFO waited until that document was answered, or forgotten after
     * {@code forget-after}, and the reminders meanwhile said the upstream was not answering.
     */
    @Test
    void anOutageEndsWhenTheUpstreamAnswersAgainThoughOneDocumentStillFails() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicBoolean broken = new AtomicBoolean();
        RawUpstream.Answer answer = failing(broken, "/costmap/c0 ", signedNow(clock));
        RawUpstream up = new RawUpstream(answer);
        int port = up.port();
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            List<String> targets = heldAndHot(proxy, clock, 10);
            up.close(); // the upstream stops
            clock.advance(Duration.ofSeconds(58));
            proxy.refreshNow().get();
            int down = logs.count();

            broken.set(true); // and comes back failing one document
            try (RawUpstream again = new RawUpstream(answer, port)) {
                assertEquals(port, again.port());
                for (int round = 0; round < 3; round++) {
                    clock.advance(Duration.ofSeconds(3)); // past the retry pause (at most 1 s)
                    proxy.refreshNow().get(); // what failed is tried again
                }
                List<ILoggingEvent> back = logs.events().subList(down, logs.count());
                List<String> infos = at(back, Level.INFO);
                assertEquals(1, infos.size(), "one line for the upstream's return: " + infos);
                assertTrue(infos.get(0).contains("upstream answers again after ") && infos.get(0).contains(
                        (targets.size()) + " documents refreshed that had failed meanwhile; 1 failing on their own"),
                        infos.get(0));
                List<String> warnings = at(back, Level.WARN);
                assertEquals(1, warnings.size(), "the one document's own line: " + warnings);
                assertTrue(warnings.get(0).contains("/costmap/c0: upstream 127.0.0.1:" + port + " answered 500"),
                        warnings.get(0));
            }
        } finally {
            up.close();
        }
    }

    /**
     * An upstream answering {@code 500} for every document (a parent proxy whose own upstream is
     * away) fails as a whole: after at most one document's own line, one outage, and one INFO
     * when it answers again; not a line per document.
     */
    @Test
    void anErrorForEveryDocumentIsAnOutage() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicBoolean broken = new AtomicBoolean();
        try (RawUpstream up = new RawUpstream(failing(broken, "/", signedNow(clock)));
             CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            List<String> targets = heldAndHot(proxy, clock, 10);
            int before = logs.count();
            broken.set(true);
            clock.advance(Duration.ofSeconds(58));
            proxy.refreshNow().get();
            clock.advance(Duration.ofSeconds(3));
            proxy.refreshNow().get();
            List<String> warnings = at(logs.events().subList(before, logs.count()), Level.WARN);
            assertTrue(warnings.size() <= 2 && warnings.get(warnings.size() - 1).contains(
                    "upstream failing for every document asked: upstream 127.0.0.1:" + up.port() + " answered 500"),
                    "at most one document's line, then the outage: " + warnings);
            int failed = logs.count();

            broken.set(false);
            clock.advance(Duration.ofSeconds(3));
            proxy.refreshNow().get(); // what failed is tried again
            for (String t : targets) {
                assertEquals(200, get(proxy, t), t);
            }
            List<ILoggingEvent> back = logs.events().subList(failed, logs.count());
            assertEquals(List.of(), at(back, Level.WARN));
            List<String> infos = at(back, Level.INFO);
            assertEquals(1, infos.size(), "one line for the upstream's return: " + infos);
            assertTrue(infos.get(0).contains("upstream answers again after "), infos.get(0));
        }
    }

    /**
     * A start whose directory fetch the upstream never answers, with two targets to prefetch: the
     * warning counts the documents held, none yet, not the targets tracked. It said "3 documents
     * held wait on it" (the directory and the two prefetched targets, pinned before any copy came).
     */
    @Test
    void anOutageAtStartCountsNoDocumentHeldBeforeAnyIs() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream.Answer signed = signedNow(clock);
        try (RawUpstream up = new RawUpstream((head, s) -> (head.startsWith("GET /directory ") ? RawUpstream.STALL : signed)
                .answer(head, s));
             CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url(), Duration.ofMillis(500), List.of("/costmap/c0", "/costmap/c1")),
                     clock, UnaryOperator.identity())) {
            Eventually.await("the outage told", WAIT, () -> !at(logs.events(), Level.WARN).isEmpty());
            String warning = at(logs.events(), Level.WARN).get(0);
            assertTrue(warning.contains("upstream stopped answering") && warning.contains("(first for GET /directory"),
                    warning);
            assertTrue(warning.endsWith("; no document held yet: what clients ask for waits on it"), warning);
            Eventually.await("the prefetched documents held all the same", WAIT,
                    () -> proxy.heldSignedTargets().containsAll(List.of("/costmap/c0", "/costmap/c1")));
        }
    }

    /** {@code count} documents fetched, asked for again since (so refreshed ahead of max-age), with the directory. */
    private static List<String> heldAndHot(PullProxy proxy, MutableClock clock, int count) throws Exception {
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            targets.add("/costmap/c" + i);
        }
        for (String t : targets) {
            assertEquals(200, get(proxy, t), t);
        }
        clock.advance(Duration.ofSeconds(1));
        for (String t : targets) {
            assertEquals(200, get(proxy, t), t);
        }
        return targets;
    }

    /** {@code answer}, but a {@code 500} for the GETs whose target and version start with {@code prefix} while {@code broken}. */
    private static RawUpstream.Answer failing(AtomicBoolean broken, String prefix, RawUpstream.Answer answer) {
        return (head, s) -> {
            if (broken.get() && head.startsWith("GET " + prefix)) {
                RawUpstream.respond(500, List.of(), new byte[0]).answer(head, s);
            } else {
                answer.answer(head, s);
            }
        };
    }

    /** The messages of {@code events} at {@code level}. */
    private static List<String> at(List<ILoggingEvent> events, Level level) {
        return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    /**
     * Answers every GET with a document signed for its path at the proxy's clock's time of the
     * request (an hour's validity, max-age a minute), in the encoding asked for.
     */
    private static RawUpstream.Answer signedNow(MutableClock clock) {
        return (head, s) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            boolean gzip = head.toLowerCase(Locale.ROOT).contains("\r\naccept-encoding: gzip");
            var doc = ORIGIN.sign(target, "{}", true, clock.instant(), Duration.ofHours(1), 60);
            Variant v = gzip ? doc.gzip() : doc.identity();
            List<String> headers = new ArrayList<>(v.headers().stream().map(h -> h.name() + ": " + h.value()).toList());
            headers.add("cache-control: max-age=60, stale-if-error=3600");
            headers.add("vary: Accept-Encoding");
            RawUpstream.respond(200, headers, v.body().toArray()).answer(head, s);
        };
    }

    private static int get(PullProxy proxy, String target) throws IOException, InterruptedException {
        return UpstreamFailureLogTest.get(proxy, target);
    }

    private ProxyConfig config(String upstream) throws IOException {
        return config(upstream, WAIT, List.of());
    }

    private ProxyConfig config(String upstream, Duration timeout, List<String> prefetch) throws IOException {
        Path pub = ORIGIN.writePublic(dir.resolve("origin.pem"));
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(timeout).withPrefetch(prefetch),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
    }
}
