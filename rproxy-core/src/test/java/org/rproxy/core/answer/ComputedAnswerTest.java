package org.rproxy.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.Representation;

/**
 * A computed answer's entity tag follows its body and the signed versions it names; its age is
 * that of its oldest source copy, and its windows still end at its sources' expiry.
 */
class ComputedAnswerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Bytes BODY = Bytes.utf8("{\"meta\":{},\"cost-map\":{}}");

    private static Representation answer(String sourceTag) {
        return ComputedAnswer.of("application/alto-costmap+json", BODY,
                List.of(new ComputedAnswer.Source("m", "/costmap/m", sourceTag, NOW.plusSeconds(600))),
                Duration.ofSeconds(60), NOW, List.of());
    }

    /** An answer from a copy caches must revalidate once stale must be revalidated too: the strictest of its sources. */
    @Test
    void anAnswerMustBeRevalidatedAsStrictlyAsItsStrictestSource() {
        Representation r = answer(
                new ComputedAnswer.Source("n", "/networkmap/n", "\"a\"", NOW.plusSeconds(600), NOW,
                        Representation.Revalidation.SHARED_CACHES),
                new ComputedAnswer.Source("m", "/costmap/m", "\"b\"", NOW.plusSeconds(600), NOW,
                        Representation.Revalidation.EVERY_CACHE),
                new ComputedAnswer.Source("o", "/costmap/o", "\"c\"", NOW.plusSeconds(600), NOW));
        assertEquals(Representation.Revalidation.EVERY_CACHE, r.revalidation());
        assertEquals(Representation.Revalidation.EVERY_CACHE, ComputedAnswer.withAge(r, 5).revalidation(), "kept, aged");
        assertEquals(Representation.Revalidation.NONE, answer("\"a\"").revalidation());
    }

    @Test
    void theSameBodyFromTheSameSourcesHasTheSameTag() {
        assertEquals(answer("\"a\"").identity().etag(), answer("\"a\"").identity().etag());
    }

    @Test
    void aReSignedSourceGivesTheSameBodyANewTag() {
        Representation before = answer("\"a\"");
        Representation after = answer("\"b\"");
        assertEquals(before.identity().header("content-digest"), after.identity().header("content-digest"));
        assertNotEquals(before.identity().etag(), after.identity().etag());
    }

    private static Representation answer(ComputedAnswer.Source... sources) {
        return ComputedAnswer.of("application/alto-costmap+json", BODY, List.of(sources), Duration.ofSeconds(60), NOW,
                List.of());
    }

    @Test
    void anAnswerFromHeldCopiesIsAsOldAsTheOldestAndEndsWithTheFirstSignatureToRunOut() {
        Representation r = answer(new ComputedAnswer.Source("n", "/networkmap/n", "\"a\"", NOW.plusSeconds(600),
                        NOW.minusSeconds(10)),
                new ComputedAnswer.Source("m", "/costmap/m", "\"b\"", NOW.plusSeconds(500), NOW.minusMillis(30_500)));
        assertEquals("30", r.identity().header("age").orElse(null));
        assertEquals(NOW.minusMillis(30_500), r.created(), "where its age counts from");
        // a cache honouring Age keeps it fresh 30 s less; one ignoring it still ends at the
        // earlier signature's expiry, less the spare second: the windows are not lengthened by the Age
        Representation.Windows w = r.windowsAt(NOW);
        assertEquals(60, w.maxAge());
        assertEquals(499 - 60, w.staleIfError());
    }

    @Test
    void anAnswerAtTheOriginHasNoAge() {
        Representation r = answer(new ComputedAnswer.Source("m", "/costmap/m", "\"b\"", NOW.plusSeconds(500)));
        assertTrue(r.identity().header("age").isEmpty());
        assertEquals(NOW, r.created());
        KeptAnswer kept = new KeptAnswer(r);
        assertSame(r, kept.at(NOW.plusSeconds(100)));
    }

    @Test
    void aKeptAnswersAgeCountsOnStampedOnceASecond() {
        Representation r = answer(new ComputedAnswer.Source("m", "/costmap/m", "\"b\"", NOW.plusSeconds(500),
                NOW.minusSeconds(30)));
        KeptAnswer kept = new KeptAnswer(r);
        assertSame(r, kept.at(NOW.plusMillis(999)));
        Representation later = kept.at(NOW.plusSeconds(1));
        assertEquals("31", later.identity().header("age").orElse(null));
        assertEquals(1, later.identity().headers().stream().filter(h -> h.name().equals("age")).count());
        assertSame(later, kept.at(NOW.plusMillis(1_700)), "the same for the rest of the second");
        assertEquals(r.identity().body(), later.identity().body());
        assertEquals(r.identity().etag(), later.identity().etag());
        assertEquals("45", kept.at(NOW.plusSeconds(15)).identity().header("age").orElse(null));
    }
}
