package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;

/**
 * {@link UpstreamOutage}'s rule for {@code 5xx} answers, step by step: a document the upstream
 * keeps failing while it answers the others fails on its own, and so do two of them, however
 * often they are tried again together; only documents newly failing with nothing answered between
 * make the upstream's failure an outage (a parent proxy whose own upstream is away).
 */
class UpstreamOutageTest {
    private static final CacheKey C0 = CacheKey.get("/costmap/c0");
    private static final CacheKey C1 = CacheKey.get("/costmap/c1");
    private static final CacheKey C2 = CacheKey.get("/costmap/c2");
    private static final CacheKey C3 = CacheKey.get("/costmap/c3");
    private static final FetchResult.Failed ANSWERED_500 =
            new FetchResult.Failed(504, "upstream 127.0.0.1:8181 answered 500", false, 500);
    private static final String OUTAGE = "upstream failing for every document asked";
    private static final FetchResult.Failed REFUSED = new FetchResult.Failed(504,
            "upstream unreachable: cannot connect to 127.0.0.1:8181: connection refused", false);

    private final Clock clock = Clock.fixed(EntryTest.T0, ZoneOffset.UTC);
    private final RepresentationStore<CacheKey> store = RepresentationStore.boundedBy(1L << 20);
    private final CachedCopies copies = new CachedCopies(store, new PullMetrics(new SimpleMeterRegistry(), store, clock));
    private final UpstreamOutage outage = new UpstreamOutage(clock, copies);

    /** UpstreamOutage's own logger, at INFO for these tests (the outage's end), else as its parent's. */
    private final Logger log = (Logger) LoggerFactory.getLogger(UpstreamOutage.class);

    UpstreamOutageTest() {
        for (CacheKey k : List.of(C0, C1, C2, C3)) {
            copies.getOrAdd(k, UpstreamCall.PLAIN_GET, EntryTest.T0);
        }
        log.setLevel(Level.INFO);
    }

    @AfterEach
    void parentsLevel() {
        log.setLevel(null);
    }

    /**
     * Two documents the upstream keeps answering {@code 500} for, the others answered: each is
     * said once on its own line, and no outage is begun when the two are tried again one after
     * the other (their retry pauses alike, the others fresh, so nothing answered between). Before,
     * every such retry logged "upstream failing for every document asked" and, a moment later,
     * "upstream answers again": a false outage at each retry, for as long as they failed.
     */
    @Test
    void twoDocumentsFailingOnTheirOwnTriedAgainTogetherAreNoOutage() {
        try (CapturedLogs logs = CapturedLogs.of(UpstreamOutage.class)) {
            // a refresh pass: the two fail, the others are answered between them
            outage.failed(C0, ANSWERED_500, true);
            outage.answered(C2, true);
            outage.failed(C1, ANSWERED_500, true);
            outage.answered(C3, true);
            // their retries, back to back, for a while
            for (int retry = 0; retry < 3; retry++) {
                outage.failed(C0, ANSWERED_500, true);
                outage.failed(C1, ANSWERED_500, true);
            }
            List<String> warnings = at(logs.events(), Level.WARN);
            assertTrue(warnings.stream().noneMatch(w -> w.contains(OUTAGE)), "no outage: " + warnings);
            assertEquals(2, warnings.size(), "one line for each document: " + warnings);
            assertEquals(List.of(), at(logs.events(), Level.INFO), "no outage to end");
        }
    }

    /**
     * Two documents failing from the first with nothing answered between cannot be told from an
     * upstream failing as a whole: an outage. Once the upstream answers the others and the two
     * fail again, each fails on its own and the outage ends; their later retries, back to back on
     * a proxy where nothing else is fetched meanwhile, begin no outage again.
     */
    @Test
    void documentsFoundFailingOnTheirOwnInAnOutageBeginNoOtherWhenTriedAgain() {
        try (CapturedLogs logs = CapturedLogs.of(UpstreamOutage.class)) {
            outage.failed(C0, ANSWERED_500, true);
            outage.failed(C1, ANSWERED_500, true);
            outage.answered(C2, true); // the upstream answers the others
            outage.failed(C0, ANSWERED_500, true);
            outage.failed(C1, ANSWERED_500, true);
            int ended = logs.count();
            List<String> infos = at(logs.events(), Level.INFO);
            assertEquals(1, infos.size(), "the outage's end: " + infos);
            assertTrue(infos.get(0).contains("2 failing on their own"), infos.get(0));
            for (int retry = 0; retry < 3; retry++) {
                outage.failed(C0, ANSWERED_500, true);
                outage.failed(C1, ANSWERED_500, true);
            }
            List<ILoggingEvent> after = logs.events().subList(ended, logs.count());
            assertEquals(List.of(), after.stream().map(ILoggingEvent::getFormattedMessage).toList(),
                    "their retries are no news");
        }
    }

    /**
     * Documents answered until now getting {@code 500} one after the other with nothing answered
     * between are an outage of the upstream, also while another document fails on its own.
     */
    @Test
    void documentsNewlyFailingWithNothingAnsweredBetweenAreAnOutage() {
        try (CapturedLogs logs = CapturedLogs.of(UpstreamOutage.class)) {
            outage.failed(C0, ANSWERED_500, true);
            outage.answered(C2, true);
            outage.failed(C0, ANSWERED_500, true); // still failing on its own
            outage.failed(C2, ANSWERED_500, true);
            outage.failed(C3, ANSWERED_500, true);
            List<String> warnings = at(logs.events(), Level.WARN);
            assertEquals(3, warnings.size(), "C0's line, C2's, then the outage: " + warnings);
            assertTrue(warnings.get(2).startsWith(OUTAGE) && warnings.get(2).contains("(for GET /costmap/c3, and [GET "
                    + "/costmap/c2] before it"), warnings.get(2));
        }
    }

    /**
     * An outage whose only document waiting on it is forgotten meanwhile (let go of to stay under
     * {@code max-bytes}, or idle and expired) ends, with its line, once the upstream answers another;
     * a miss failing after that is its own again. The outage lasted for ever: it ended only when a
     * waiting document was answered, so its end line never came, and every miss failing from then
     * on was counted in it, the first at most told, the others on no line at all.
     */
    @Test
    void anOutageWhoseWaitingDocumentsWereForgottenEndsWhenTheUpstreamAnswersAnother() {
        try (CapturedLogs logs = CapturedLogs.of(UpstreamOutage.class)) {
            outage.failed(C0, REFUSED, false);
            assertTrue(at(logs.events(), Level.WARN).get(0).startsWith("upstream stopped answering"), logs.events().toString());
            assertTrue(copies.forget(copies.get(C0), null), "C0 forgotten meanwhile");
            outage.answered(C1, true); // the upstream answers again
            List<String> infos = at(logs.events(), Level.INFO);
            assertEquals(1, infos.size(), "the outage's end: " + infos);
            assertTrue(infos.get(0).startsWith("upstream answers again after "), infos.get(0));
            assertEquals(UpstreamOutage.Miss.OWN, outage.missFailed(CacheKey.get("/costmap/new0"), REFUSED),
                    "a miss failing later is no longer the outage's");
        }
    }

    private static List<String> at(List<ILoggingEvent> events, Level level) {
        return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
