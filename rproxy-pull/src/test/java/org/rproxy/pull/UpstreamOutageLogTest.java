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
import java.util.concurrent.TimeUnit;
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
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.slf4j.LoggerFactory;

/**
 * An upstream restart while a pull proxy holds many documents (real sockets: a raw loopback
 * upstream stopped, and started again on its port): the log says so in one line when it stops
 * answering (an INFO while what is held bridges it, a WARN once it outlasts the grace or
 * documents expire meanwhile) and one INFO when it answers again, not a line per document held
 * each way. And one
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

    /**
     * A planned restart: the upstream is back within {@link UpstreamOutage#GRACE}, and every
     * document held stays servable meanwhile. One INFO when it stops answering, one when it answers
     * again, whatever the documents held, and no warning: it was a WARN ("upstream stopped
     * answering: ..."), on every proxy below an upstream at each routine restart.
     */
    @Test
    void aRestartBackWithinTheGraceIsOneInfoEachWayWhateverTheDocumentsHeld() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream.Answer signed = signedNow(clock);
        RawUpstream up = new RawUpstream(signed);
        int port = up.port();
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            List<String> targets = heldAndHot(proxy, clock, DOCUMENTS);
            int before = logs.count();

            up.close(); // the upstream stops
            clock.advance(Duration.ofSeconds(58)); // within 5 s of max-age (60 s)
            proxy.refreshNow().get();
            clock.advance(Duration.ofSeconds(3)); // past the retry pause (at most 1 s): every one fails again
            proxy.refreshNow().get();
            String down = theOneInfoSince(logs, before, "one line for the outage, an INFO");
            // the reason: refused, or a pooled connection found closed; either names the upstream
            assertTrue(down.contains("upstream stopped answering") && down.contains("127.0.0.1:" + port), down);
            assertTrue(down.contains((DOCUMENTS + 1) + " documents held, each servable for 30s more at least: a warning"
                    + " follows if it does not answer within that"), down); // and the directory
            for (String t : targets) {
                assertEquals(200, get(proxy, t), t + " served from the held copy meanwhile");
            }
            int outage = logs.count();

            backOnItsPort(signed, port, clock, proxy, logs, outage); // the upstream starts again
        } finally {
            up.close();
        }
    }

    /**
     * An outage that outlasts {@link UpstreamOutage#GRACE}: its INFO, then one WARN at the first
     * attempt that fails past the grace, naming the reason and the documents held, and no more
     * while it lasts (the reminders come a minute apart); one INFO when it answers again.
     */
    @Test
    void anOutagePastTheGraceIsWarnedOfOnce() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream.Answer signed = signedNow(clock);
        RawUpstream up = new RawUpstream(signed);
        int port = up.port();
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            int before = logs.count();
            assertEquals(List.of(), warningsAsItStops(up, proxy, clock, logs));
            clock.advance(UpstreamOutage.GRACE.minusSeconds(1));
            proxy.refreshNow().get(); // within the grace still
            assertEquals(List.of(), at(logs.events().subList(before, logs.count()), Level.WARN));
            for (int round = 0; round < 3; round++) {
                clock.advance(Duration.ofSeconds(3)); // past the grace, then past each retry pause
                proxy.refreshNow().get();
            }
            List<String> warnings = at(logs.events().subList(before, logs.count()), Level.WARN);
            assertEquals(1, warnings.size(), "one warning for the outage: " + warnings);
            assertTrue(warnings.get(0).contains("upstream stopped answering") && warnings.get(0).contains("127.0.0.1:" + port)
                    && warnings.get(0).endsWith("; not back within 30s; 11 documents held wait on it, served while valid"),
                    warnings.get(0));
            int outage = logs.count();

            backOnItsPort(signed, port, clock, proxy, logs, outage);
        } finally {
            up.close();
        }
    }

    /**
     * An outage while documents held expire is warned of at once: copies signed for 75 s, the
     * upstream gone as they are refreshed ahead of max-age, so they stop being servable within the
     * grace. Clients are about to be refused: no grace for that.
     */
    @Test
    void anOutageWhileDocumentsExpireIsWarnedOfAtOnce() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream up = new RawUpstream(signedNow(clock, Duration.ofSeconds(75)));
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            List<String> warnings = warningsAsItStops(up, proxy, clock, logs); // every copy valid for 18 s more
            assertEquals(1, warnings.size(), "the outage, at once: " + warnings);
            assertTrue(warnings.get(0).contains("upstream stopped answering")
                    && warnings.get(0).endsWith("; 11 documents held wait on it, served while valid"), warnings.get(0));
        } finally {
            up.close();
        }
    }

    /**
     * An outage while a document the proxy keeps (a prefetched one) has no copy it can serve is
     * warned of at once, even while the others would bridge a restart: what clients ask for it is
     * refused. Its copy, signed for 10 s, has expired when the upstream stops.
     */
    @Test
    void anOutageWithADocumentItCannotServeIsWarnedOfAtOnce() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream.Answer hour = signedNow(clock);
        RawUpstream.Answer tenSeconds = signedNow(clock, Duration.ofSeconds(10));
        RawUpstream up = new RawUpstream((head, s) -> (head.startsWith("GET /costmap/old ") ? tenSeconds : hour)
                .answer(head, s));
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url(), WAIT, List.of("/costmap/old")), clock,
                     UnaryOperator.identity())) {
            Eventually.await("the prefetched document held", WAIT,
                    () -> proxy.heldSignedTargets().contains("/costmap/old"));
            List<String> warnings = warningsAsItStops(up, proxy, clock, logs); // /costmap/old expired
            assertEquals(1, warnings.size(), "the outage, at once: " + warnings);
            assertTrue(warnings.get(0).contains("upstream stopped answering"), warnings.get(0));
        } finally {
            up.close();
        }
    }

    /**
     * A computed answer past its {@code max-age} is served in an outage while the signed map it
     * names is valid ({@link Replies}): a restart met first by a request for one, its revalidation
     * failing, hurts no client and is an INFO like any other, not a document without a copy.
     */
    @Test
    void aComputedAnswerServedOnItsSourcesBridgesARestartToo() throws Exception {
        try (FeedFixture f = new FeedFixture();
             CapturedLogs logs = CapturedLogs.of("org.rproxy.pull")) {
            f.upstream.docs.put(FeedFixture.MAP, f.signer.sign(FeedFixture.MAP, FeedFixture.MAP_BODY, false,
                    f.clock.instant(), Duration.ofHours(1), 600));
            String etag = ((Reply.Ok) f.get(FeedFixture.MAP)).representation().identity().etag().replace("\"", "");
            String row = "/cost/row?srcpid=PID1";
            Variant v = new Variant(Bytes.utf8("<alto/>"), null, List.of(new HeaderField("content-type", "application/xml"),
                    new HeaderField("alto-derived-from", "\"default-network-map\";path=\"" + FeedFixture.MAP
                            + "\";etag=\"" + etag + "\"")));
            f.upstream.docs.put(row, new Representation(v, null, 30, f.clock.instant(), f.clock.instant().plusSeconds(30)));
            assertTrue(f.get(row) instanceof Reply.Ok);
            f.feed.quiet().get(5, TimeUnit.SECONDS);
            int before = logs.count();
            f.upstream.down = true;
            f.clock.advance(Duration.ofSeconds(31)); // the answer expired; the map fresh
            assertTrue(f.get(row) instanceof Reply.Ok, "served on its sources");
            logs.await(e -> e.getFormattedMessage().startsWith("upstream stopped answering"), WAIT);
            assertEquals(List.of(), at(logs.events().subList(before, logs.count()), Level.WARN));
        }
    }

    /**
     * A restart the copies held would bridge, met by clients asking for documents the proxy does
     * not hold: they are refused, so the first such miss makes the outage's WARN come at once,
     * naming it, and the misses are counted in the outage's end line, not a line each. Before, the
     * outage stayed an INFO, and the misses had their own WARN ("GET /costmap/new0: ...; no copy
     * held"), one per 10 s for as long as a crowd asked.
     */
    @Test
    void missesFailingInAnOutageAreItsWarningAndACountInItsEndLine() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream.Answer signed = signedNow(clock);
        RawUpstream up = new RawUpstream(signed);
        int port = up.port();
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            heldAndHot(proxy, clock, 10);
            int before = logs.count();
            up.close(); // the upstream stops
            clock.advance(Duration.ofSeconds(58));
            proxy.refreshNow().get();
            for (int i = 0; i < 3; i++) {
                int status = get(proxy, "/costmap/new" + i);
                assertTrue(status == 502 || status == 504, "status " + status);
            }
            List<String> warnings = at(logs.events().subList(before, logs.count()), Level.WARN);
            assertEquals(1, warnings.size(), "the outage's one warning: " + warnings);
            assertTrue(warnings.get(0).startsWith("upstream stopped answering")
                    && warnings.get(0).contains("; no copy of GET /costmap/new0 to serve meanwhile;"), warnings.get(0));
            int outage = logs.count();

            backOnItsPort(signed, port, clock, proxy, logs, outage, "; 3 fetches of documents not held failed meanwhile"
                    + " \\(clients asking for them got an error\\)");
        } finally {
            up.close();
        }
    }

    /**
     * An outage warned of already (a proxy started before its upstream): the first miss to fail
     * in it is told on its own line, saying the others are counted, and they are not logged.
     * Before, its line did not say so, and another came every 10 s while misses failed.
     */
    @Test
    void inAnOutageWarnedOfTheFirstFailedMissIsOneLineAndTheOthersAreCounted() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RawUpstream gone = new RawUpstream(signedNow(clock));
        gone.close(); // nothing listens on its port
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(gone.url()), clock, UnaryOperator.identity())) {
            logs.await(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("upstream stopped answering"),
                    WAIT);
            for (int i = 0; i < 3; i++) {
                int status = get(proxy, "/costmap/new" + i);
                assertTrue(status == 502 || status == 504, "status " + status);
            }
            List<String> misses = logs.events().stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("GET /costmap/new")).toList();
            assertEquals(1, misses.size(), "the first miss's line alone: " + misses);
            assertTrue(misses.get(0).startsWith("GET /costmap/new0: ") && misses.get(0).endsWith("; no copy held (the first"
                    + " miss to fail in this outage: the others are counted in its end line)"), misses.get(0));
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
            String back = theOneInfoSince(logs, failed, "its own recovery, once");
            assertTrue(back.contains("/costmap/c0: upstream answers again"), back);
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
        Comeback back = backAnsweringOneDocument(500);
        List<String> infos = at(back.events(), Level.INFO);
        assertEquals(1, infos.size(), "one line for the upstream's return: " + infos);
        // how many were refreshed depends on whether the test's refresh or the refresher's
        // own tick met the outage first (9 of the 10 were seen under load)
        assertTrue(infos.get(0).matches("upstream answers again after \\d+ s away; \\d+ documents refreshed that"
                + " had failed meanwhile; 1 failing on their own, each logged apart"), infos.get(0));
        List<String> warnings = at(back.events(), Level.WARN);
        assertEquals(1, warnings.size(), "the one document's own line: " + warnings);
        assertTrue(warnings.get(0).contains("/costmap/c0: upstream 127.0.0.1:" + back.port() + " answered 500"),
                warnings.get(0));
    }

    /**
     * The upstream comes back from an outage without one document it served (a {@code 404}): the
     * proxy forgets its copy (not prefetched, and no signed directory held lists it), and says so
     * on a line of its own, once. Before, the document vanished with nothing logged (the outage's
     * end only counted it among those answered but not refreshed).
     */
    @Test
    void aDocumentTheUpstreamHasNoMoreWhenBackIsForgottenOnALineOfItsOwn() throws Exception {
        Comeback back = backAnsweringOneDocument(404);
        assertForgottenOnce(back.events(), back.port());
        assertTrue(at(back.events(), Level.INFO).stream().anyMatch(i -> i.startsWith("upstream answers again")),
                "the outage ended");
    }

    /** What a proxy logged from its upstream's stop on ({@link #backAnsweringOneDocument}), and the upstream's port. */
    private record Comeback(List<ILoggingEvent> events, int port) {
    }

    /**
     * Ten documents held and asked for, the upstream stopped as they are refreshed, then started
     * again on its port answering {@code status} for {@code /costmap/c0}, and what failed tried
     * again, three times: what was logged since it stopped.
     */
    private Comeback backAnsweringOneDocument(int status) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicBoolean changed = new AtomicBoolean();
        RawUpstream.Answer answer = answering(status, changed, "/costmap/c0 ", signedNow(clock));
        RawUpstream up = new RawUpstream(answer);
        int port = up.port();
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            heldAndHot(proxy, clock, 10);
            up.close(); // the upstream stops
            clock.advance(Duration.ofSeconds(58));
            proxy.refreshNow().get();
            int down = logs.count();

            changed.set(true); // and comes back answering one document so
            try (RawUpstream again = new RawUpstream(answer, port)) {
                assertEquals(port, again.port());
                for (int round = 0; round < 3; round++) {
                    clock.advance(Duration.ofSeconds(3)); // past the retry pause (at most 1 s)
                    proxy.refreshNow().get(); // what failed is tried again
                }
            }
            return new Comeback(List.copyOf(logs.events().subList(down, logs.count())), port);
        } finally {
            up.close();
        }
    }

    /** As {@link #aDocumentTheUpstreamHasNoMoreWhenBackIsForgottenOnALineOfItsOwn}, with no outage before. */
    @Test
    void aDocumentTheUpstreamHasNoMoreIsForgottenOnALineOfItsOwn() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicBoolean removed = new AtomicBoolean();
        try (RawUpstream up = new RawUpstream(answering(404, removed, "/costmap/c0 ", signedNow(clock)));
             CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            heldAndHot(proxy, clock, 3);
            int before = logs.count();
            removed.set(true);
            clock.advance(Duration.ofSeconds(58)); // within 5 s of max-age: every document refreshed
            for (int round = 0; round < 3; round++) {
                proxy.refreshNow().get();
                clock.advance(Duration.ofSeconds(3));
            }
            assertForgottenOnce(logs.events().subList(before, logs.count()), up.port());
        }
    }

    /** One INFO among {@code events} that {@code /costmap/c0}'s copy is forgotten, for {@code port}'s 404. */
    private static void assertForgottenOnce(List<ILoggingEvent> events, int port) {
        List<String> lines = events.stream()
                .filter(e -> e.getFormattedMessage().startsWith("GET /costmap/c0:")).map(e -> e.getLevel() + " "
                        + e.getFormattedMessage()).toList();
        assertEquals(List.of("INFO GET /costmap/c0: upstream 127.0.0.1:" + port + " answered 404; its copy is forgotten"
                + " (not prefetched, and no signed directory held lists it)"), lines);
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
            clock.advance(UpstreamOutage.GRACE); // the documents held bridge it until then
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
            assertBackOnce(logs, failed);
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

    /**
     * Ten documents held and asked for, then the upstream {@code up} stops as they are refreshed
     * ahead of {@code max-age} (60 s): the warnings logged by that refresh.
     */
    private static List<String> warningsAsItStops(RawUpstream up, PullProxy proxy, MutableClock clock, CapturedLogs logs)
            throws Exception {
        heldAndHot(proxy, clock, 10);
        int before = logs.count();
        up.close();
        clock.advance(Duration.ofSeconds(58)); // within 5 s of max-age
        proxy.refreshNow().get();
        return at(logs.events().subList(before, logs.count()), Level.WARN);
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
        return answering(500, broken, prefix, answer);
    }

    /** {@code answer}, but {@code status} for the GETs whose target and version start with {@code prefix} while {@code on}. */
    private static RawUpstream.Answer answering(int status, AtomicBoolean on, String prefix, RawUpstream.Answer answer) {
        return (head, s) -> {
            if (on.get() && head.startsWith("GET " + prefix)) {
                RawUpstream.respond(status, List.of(), new byte[0]).answer(head, s);
            } else {
                answer.answer(head, s);
            }
        };
    }

    /**
     * The upstream started again on {@code port}, answering {@code answer}: the next refresh
     * finds it, and its return since event {@code from} is one INFO ({@link #assertBackOnce}).
     */
    private static void backOnItsPort(RawUpstream.Answer answer, int port, MutableClock clock, PullProxy proxy,
                                      CapturedLogs logs, int from) throws Exception {
        backOnItsPort(answer, port, clock, proxy, logs, from, "");
    }

    /**
     * As {@link #backOnItsPort(RawUpstream.Answer, int, MutableClock, PullProxy, CapturedLogs, int)},
     * the INFO ending in {@code tail} (a pattern).
     */
    private static void backOnItsPort(RawUpstream.Answer answer, int port, MutableClock clock, PullProxy proxy,
                                      CapturedLogs logs, int from, String tail) throws Exception {
        try (RawUpstream again = new RawUpstream(answer, port)) {
            assertEquals(port, again.port());
            clock.advance(Duration.ofSeconds(3)); // past the retry pause (at most 1 s)
            proxy.refreshNow().get();
            assertBackOnce(logs, from, tail);
        }
    }

    /**
     * The upstream's return told since event {@code from} in one INFO and nothing else. How long it
     * was away, and how many documents it refreshed, depend on whether the test's refresh or the
     * refresher's own tick (on the test's clock too) met the outage first.
     */
    private static void assertBackOnce(CapturedLogs logs, int from) {
        assertBackOnce(logs, from, "");
    }

    /** As {@link #assertBackOnce(CapturedLogs, int)}, the INFO ending in {@code tail} (a pattern). */
    private static void assertBackOnce(CapturedLogs logs, int from, String tail) {
        String back = theOneInfoSince(logs, from, "one line for the upstream's return");
        assertTrue(back.matches("upstream answers again after \\d+ s away; \\d+ documents refreshed that had failed"
                + " meanwhile" + tail), back);
    }

    /** The one INFO logged since event {@code from}, with no warning beside it; {@code what}: what it is for. */
    private static String theOneInfoSince(CapturedLogs logs, int from, String what) {
        List<ILoggingEvent> since = logs.events().subList(from, logs.count());
        assertEquals(List.of(), at(since, Level.WARN), what + ": no warning");
        List<String> infos = at(since, Level.INFO);
        assertEquals(1, infos.size(), what + ": " + infos);
        return infos.get(0);
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
        return signedNow(clock, Duration.ofHours(1));
    }

    /** As {@link #signedNow(MutableClock)}, each signature valid for {@code validity}. */
    private static RawUpstream.Answer signedNow(MutableClock clock, Duration validity) {
        return (head, s) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            boolean gzip = head.toLowerCase(Locale.ROOT).contains("\r\naccept-encoding: gzip");
            var doc = ORIGIN.sign(target, "{}", true, clock.instant(), validity, 60);
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
