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
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.slf4j.LoggerFactory;

/**
 * An upstream restart while a pull proxy holds many documents (real sockets: a raw loopback
 * upstream stopped, and started again on its port): the log says so in one WARN when it stops
 * answering and one INFO when it answers again, not a line per document held each way.
 */
class UpstreamOutageLogTest {
    private static final TestSigner ORIGIN = new TestSigner();
    private static final int DOCUMENTS = 40;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void anUpstreamRestartIsOneWarningAndOneInfoWhateverTheDocumentsHeld() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream.Answer signed = signedNow(clock);
        RawUpstream up = new RawUpstream(signed);
        int port = up.port();
        Logger pull = (Logger) LoggerFactory.getLogger("org.rproxy.pull");
        Level level = pull.getLevel();
        pull.setLevel(Level.INFO); // the upstream's return is told at INFO
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
            pull.setLevel(level);
            up.close();
        }
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
        Path pub = ORIGIN.writePublic(dir.resolve("origin.pem"));
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(WAIT),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
    }
}
