package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** What a publisher makes of a copy offered with a verifier: only what its signature says. */
class OfferedCopiesTest {
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant EXPIRES = CREATED.plus(Duration.ofHours(2));
    private static final Clock CLOCK = Clock.fixed(CREATED.plusSeconds(60), ZoneOffset.UTC);
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(ORIGIN.publicKey()), CLOCK);
    private final Logger publisher = (Logger) LoggerFactory.getLogger(OverlayPublisher.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    OfferedCopiesTest() {
        lines.start();
        publisher.addAppender(lines);
    }

    @AfterEach
    void detach() {
        publisher.detachAppender(lines);
    }

    private Representation signed(String id) {
        return bundle(ORIGIN, id, CREATED, "t1", EXPIRES).representation(verifier);
    }

    @Test
    void aCopyRelabelledIsTakenWithItsSignaturesCreatedAndExpires() {
        Representation a = signed("map-a");
        Representation relabelled = new Representation(a.identity(), null, a.maxAgeSeconds(), CREATED.plusSeconds(3600),
                EXPIRES.plus(Duration.ofDays(30)));
        Representation v = OfferedCopies.verified(verifier, "/networkmap/map-a", relabelled);
        assertEquals(CREATED, v.created());
        assertEquals(EXPIRES, v.expires());
        assertEquals(a.identity(), v.identity());
    }

    @Test
    void aCopyTamperedWithOrForAnotherTargetIsRefusedAndSaid() {
        Variant b = signed("map-b").identity();
        byte[] changed = b.body().toArray();
        changed[changed.length - 2] = ' ';
        Representation tampered = new Representation(new Variant(Bytes.wrap(changed), null, b.headers()), null, 60,
                CREATED, EXPIRES);
        assertNull(OfferedCopies.verified(verifier, "/networkmap/map-b", tampered));
        assertNull(OfferedCopies.verified(verifier, "/networkmap/map-a", signed("map-b")), "signed for another path");
        List<String> said = lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertEquals(2, said.size(), said.toString());
        assertTrue(said.get(0).startsWith("overlay: not publishing /networkmap/map-b: it does not verify (DIGEST_MISMATCH"),
                said.get(0));
        assertTrue(said.get(1).contains("(WRONG_RESOURCE"), said.get(1));
    }

    @Test
    void onlyTheVersionPublishedIsNotVerifiedAgain() {
        Representation a = signed("map-a");
        Pointer held = new Pointer(new byte[32], "map-a", CREATED.getEpochSecond(), new byte[20], 600);
        assertTrue(OfferedCopies.publishesNothing(a, id -> id.equals("map-a") ? held : null), "the same signing again");
        Pointer older = new Pointer(new byte[32], "map-a", CREATED.getEpochSecond() - 1, new byte[20], 600);
        assertFalse(OfferedCopies.publishesNothing(a, id -> older), "a later signing");
        assertFalse(OfferedCopies.publishesNothing(a, id -> null), "nothing published yet");
        List<HeaderField> unsigned = a.identity().headers().stream()
                .filter(f -> !f.name().equals("signature-input")).toList();
        Representation noWindow = new Representation(new Variant(a.identity().body(), null, unsigned), null, 60,
                CREATED, EXPIRES);
        assertFalse(OfferedCopies.publishesNothing(noWindow, id -> held), "no signature: verified, so refused");
    }
}
