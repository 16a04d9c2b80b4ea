package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What a publisher says when a version cannot replace a later-signed one: once per resource and version. */
class OlderVersionsTest {
    private final Logger publisher = (Logger) LoggerFactory.getLogger(OverlayPublisher.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final OlderVersions older = new OlderVersions();
    private final Level level = publisher.getLevel();

    OlderVersionsTest() {
        lines.start();
        publisher.addAppender(lines);
        publisher.setLevel(Level.INFO);
    }

    @AfterEach
    void detach() {
        publisher.detachAppender(lines);
        publisher.setLevel(level);
    }

    private static Pointer pointer(String id, long seq) {
        return new Pointer(new byte[32], id, seq, new byte[20], 600);
    }

    private List<String> said() {
        return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Test
    void aPutRefusedForANewerVersionIsSaidOncePerVersionAndItsTakingAfterAllAtInfo() {
        Pointer v2 = pointer("map-a", 1_700_000_000L);
        older.putOutcome(v2, new Stored(0, 8, 1_700_000_300L));
        older.putOutcome(v2, new Stored(0, 8, 1_700_000_300L));
        older.putOutcome(v2, new Stored(0, 0)); // no node reached: nothing new to say
        older.putOutcome(pointer("map-b", 1_700_000_000L), new Stored(8, 8)); // another resource, stored
        assertEquals(1, said().size(), said().toString());
        assertEquals(Level.WARN, lines.list.get(0).getLevel());
        String warn = said().get(0);
        assertEquals(true, warn.contains("map-a: the DHT nodes hold this publisher's pointer at version 1700000300")
                && warn.contains("refuse a lower seq") && warn.contains("version 1700000000"), warn);
        older.putOutcome(v2, new Stored(5, 8));
        older.putOutcome(v2, new Stored(8, 8));
        assertEquals("INFO overlay: map-a: version 1700000000 stored on 5 DHT nodes: they no longer hold version 1700000300",
                said().get(1));
        assertEquals(2, said().size(), said().toString());
        Pointer v3 = pointer("map-a", 1_700_000_100L);
        older.putOutcome(v3, new Stored(0, 8, 1_700_000_300L));
        assertEquals(3, said().size(), "another version refused is said again: " + said());
    }

    @Test
    void anOlderOfferIsSaidOncePerVersionKept() {
        Pointer v1 = pointer("map-a", 1_700_000_300L);
        Instant expires = Instant.ofEpochSecond(1_700_000_325L);
        older.keptNewer(v1, 1_700_000_000L, expires);
        older.keptNewer(v1, 1_700_000_010L, expires);
        assertEquals(1, said().size(), said().toString());
        assertEquals(true, said().get(0).startsWith("WARN overlay: map-a: a version signed at created 1700000000")
                && said().get(0).contains("Version 1700000300 stays published until its signature expires at "
                + expires), said().get(0));
        older.keptNewer(pointer("map-a", 1_700_000_400L), 1_700_000_010L, expires);
        older.forget("map-a");
        older.keptNewer(pointer("map-a", 1_700_000_400L), 1_700_000_010L, expires);
        assertEquals(3, said().size(), "a later version kept, and after a retirement, is said again: " + said());
    }
}
