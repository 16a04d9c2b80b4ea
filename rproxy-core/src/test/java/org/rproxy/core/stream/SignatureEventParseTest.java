package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.Bytes;

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

    @Test
    void aMemberNamedTwiceIsRefusedAsSuch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("{\"identity\":{\"etag\":\"\\\"a\\\"\",\"etag\":\"\\\"b\\\"\"},\"max-age\":0}"));
        assertTrue(e.getMessage().contains("etag"), e.getMessage());
    }
}
