package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;

/**
 * A signature event's data read strictly, and refused with what is wrong in it: {@code max-age}
 * stands for {@code Cache-Control: max-age} (delta-seconds, RFC 9111 §1.2.2), a whole number; one
 * of 1.5 was taken as 1. A member named twice was refused as "not JSON", whatever it was.
 */
class SignatureEventParseTest {

    private static SignatureEvent parse(String json) {
        return SignatureEvent.parse(Bytes.wrap(json.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "0.1", "1e2", "-1", "\"60\"", "true", "null", "99999999999999999999"})
    void aMaxAgeThatIsNoWholeNumberOfSecondsIsRefused(String age) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("{\"identity\":{},\"max-age\":" + age + "}"));
        assertTrue(e.getMessage().contains("max-age"), e.getMessage());
    }

    @Test
    void aWholeMaxAgeIsTaken() {
        assertEquals(60, parse("{\"identity\":{},\"max-age\":60}").maxAgeSeconds());
        assertEquals(0, parse("{\"identity\":{},\"max-age\":0}").maxAgeSeconds());
    }

    /** RFC 9111 §1.2.2: delta-seconds beyond 2^31 are taken as 2^31 (the old parser took Long.MAX_VALUE as is). */
    @Test
    void aMaxAgeBeyondTwoToTheThirtyFirstIsTakenAsThat() {
        assertEquals(1L << 31, parse("{\"identity\":{},\"max-age\":9223372036854775807}").maxAgeSeconds());
        assertEquals(1L << 31, parse("{\"identity\":{},\"max-age\":2147483649}").maxAgeSeconds());
        assertEquals(2147483647L, parse("{\"identity\":{},\"max-age\":2147483647}").maxAgeSeconds());
    }

    @Test
    void aMemberNamedTwiceIsRefusedAsSuch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("{\"identity\":{\"etag\":\"\\\"a\\\"\",\"etag\":\"\\\"b\\\"\"},\"max-age\":0}"));
        assertTrue(e.getMessage().contains("etag"), e.getMessage());
    }

    /**
     * The revalidation directive is a top-level member written only when there is one, so an
     * event without one is the bytes it always was, and a receiver that predates the member reads
     * one with it as it reads any top-level member it does not know: it ignores it.
     */
    @Test
    void aRevalidationDirectiveIsAnAddedMemberOnlyWhenThereIsOne() {
        SignatureEvent none = new SignatureEvent(List.of(), null, 60);
        assertEquals("{\"identity\":{},\"max-age\":60}", none.toJson().asUtf8());
        assertEquals(Representation.Revalidation.NONE, parse("{\"identity\":{},\"max-age\":60}").revalidation());
        for (Representation.Revalidation r : List.of(Representation.Revalidation.EVERY_CACHE,
                Representation.Revalidation.SHARED_CACHES)) {
            SignatureEvent e = new SignatureEvent(List.of(), null, 60, r);
            assertEquals("{\"identity\":{},\"max-age\":60,\"revalidate\":\"" + r.directive() + "\"}",
                    e.toJson().asUtf8());
            assertEquals(e, SignatureEvent.parse(e.toJson()));
            assertTrue(!e.sameSigningAs(none) && !none.sameSigningAs(e), "a subscriber would learn the directive");
        }
        assertEquals(60, parse("{\"identity\":{},\"max-age\":60,\"x-later\":[1]}").maxAgeSeconds(),
                "an unknown top-level member is ignored, as a receiver before this one ignores revalidate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "1", "[\"must-revalidate\"]", "{}"})
    void aRevalidationThatIsNotAStringIsRefusedNamingTheMember(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("{\"identity\":{},\"max-age\":60,\"revalidate\":" + value + "}"));
        assertTrue(e.getMessage().contains("revalidate must be a string"), e.getMessage());
    }

    /** A JSON writer gives an unset member as null: no directive, as when absent (it was refused, and the update with it). */
    @Test
    void aNullRevalidationIsNone() {
        assertEquals(Representation.Revalidation.NONE,
                parse("{\"identity\":{},\"max-age\":60,\"revalidate\":null}").revalidation());
    }

    /**
     * A member of a variant's object this version does not carry is ignored (RFC 7285 §8.3.7), as
     * a top-level one is: refused, every event of an upstream of a later version that carries
     * another field was, and its updates never taken. The fields carried still must be strings.
     */
    @Test
    void aFieldThisVersionDoesNotCarryIsIgnored() {
        SignatureEvent e = parse("{\"gzip\":{\"content-encoding\":\"gzip\",\"x-later\":{\"a\":1}},"
                + "\"identity\":{\"content-language\":\"en\",\"etag\":\"\\\"a\\\"\"},\"max-age\":60}");
        assertEquals(List.of(new HeaderField("etag", "\"a\"")), e.identity());
        assertEquals(List.of(new HeaderField("content-encoding", "gzip")), e.gzip());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> parse("{\"identity\":{\"etag\":1,\"x-later\":\"b\"},\"max-age\":60}"));
        assertTrue(bad.getMessage().contains("etag must be a string"), bad.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-cache", "stale-never", ""})
    void aDirectiveThisVersionDoesNotKnowIsTakenAsTheStrictestSoTheUpdateIsStillTaken(String value) {
        assertEquals(Representation.Revalidation.EVERY_CACHE,
                parse("{\"identity\":{},\"max-age\":60,\"revalidate\":\"" + value + "\"}").revalidation());
    }

    @Test
    void theDirectivesAreReadInAnyCase() {
        assertEquals(Representation.Revalidation.EVERY_CACHE,
                parse("{\"identity\":{},\"max-age\":60,\"revalidate\":\"Must-Revalidate\"}").revalidation());
        assertEquals(Representation.Revalidation.SHARED_CACHES,
                parse("{\"identity\":{},\"max-age\":60,\"revalidate\":\"PROXY-revalidate\"}").revalidation());
    }
}
