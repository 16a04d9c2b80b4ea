package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9530 Content-Digest, with the examples of the RFC ({@code {"hello": "world"}}). */
class ContentDigestTest {
    private static final byte[] HELLO = "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);
    private static final String SHA256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
    private static final String SHA512 =
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

    @Test
    void writesTheSha256OfTheRfcExample() {
        assertEquals(SHA256, ContentDigest.sha256(HELLO));
    }

    @Test
    void digestsASliceOfAnArray() {
        byte[] padded = new byte[HELLO.length + 5];
        System.arraycopy(HELLO, 0, padded, 3, HELLO.length);
        assertEquals(SHA256, ContentDigest.sha256(padded, 3, HELLO.length));
        assertTrue(ContentDigest.matches(SHA256, padded, 3, HELLO.length));
        assertThrows(IndexOutOfBoundsException.class, () -> ContentDigest.matches(SHA256, padded, 10, HELLO.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        SHA256,
        SHA512,
        SHA256 + ", " + SHA512,
        "unixsum=30637, " + SHA256,
        "md5=:AAAA:, " + SHA512,
    })
    void matchesWhenEverySupportedDigestMatches(String header) {
        assertTrue(ContentDigest.matches(header, HELLO));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:",
        SHA256 + ", sha-512=:AAAA:",
        "md5=:AAAA:",
        "",
        "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE",
        "sha-256=\"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\"",
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        "SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
    })
    void doesNotMatchOtherwise(String header) {
        assertFalse(ContentDigest.matches(header, HELLO));
    }

    @Test
    void doesNotMatchAnotherBody() {
        assertFalse(ContentDigest.matches(SHA256, "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void doesNotMatchWithoutAHeader() {
        assertFalse(ContentDigest.matches(null, HELLO));
    }
}
