package org.rproxy.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.Representation;

/** A computed answer's entity tag follows its body and the signed versions it names. */
class ComputedAnswerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Bytes BODY = Bytes.utf8("{\"meta\":{},\"cost-map\":{}}");

    private static Representation answer(String sourceTag) {
        return ComputedAnswer.of("application/alto-costmap+json", BODY,
                List.of(new ComputedAnswer.Source("m", "/costmap/m", sourceTag, NOW.plusSeconds(600))),
                Duration.ofSeconds(60), NOW, List.of());
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
}
