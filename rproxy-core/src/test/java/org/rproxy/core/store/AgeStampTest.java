package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;

/** A representation with its {@code Age} is made once per thing held and second of age. */
class AgeStampTest {
    private final List<Long> made = new ArrayList<>();
    private final AgeStamp<Representation> stamp = new AgeStamp<>((held, age) -> {
        made.add(age);
        return new Representation(held.identity().withAge(age), null, held.maxAgeSeconds(), held.created(),
                held.expires());
    });

    private static Representation held() {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");
        return new Representation(new Variant(Bytes.wrap(new byte[] {1}), null, List.of(new HeaderField("etag", "\"e\""))),
                null, 60, now, now.plusSeconds(3600));
    }

    @Test
    void theSameThingAtTheSameAgeIsStampedOnce() {
        Representation h = held();
        Representation first = stamp.at(h, 3);
        assertSame(first, stamp.at(h, 3));
        assertEquals("3", first.identity().header("age").orElseThrow());
        assertEquals(List.of(3L), made);
    }

    @Test
    void anotherAgeOrAnotherThingHeldIsStampedAgain() {
        Representation h = held();
        Representation at3 = stamp.at(h, 3);
        Representation at4 = stamp.at(h, 4);
        assertNotSame(at3, at4);
        assertEquals("4", at4.identity().header("age").orElseThrow());
        Representation other = held();
        assertNotSame(at4, stamp.at(other, 4));
        assertEquals(List.of(3L, 4L, 4L), made);
    }

    @Test
    void aForgottenStampIsMadeAgain() {
        Representation h = held();
        Representation first = stamp.at(h, 3);
        stamp.forget();
        assertNotSame(first, stamp.at(h, 3));
        assertEquals(List.of(3L, 3L), made);
    }
}
