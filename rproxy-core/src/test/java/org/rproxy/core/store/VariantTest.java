package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.model.Bytes;

/** Which bodies are written from a direct copy, and what the weigher counts for it. */
class VariantTest {

    private static Variant variant(int bodyBytes) {
        byte[] b = new byte[bodyBytes];
        new Random(bodyBytes).nextBytes(b);
        return new Variant(Bytes.wrap(b), null, List.of(new HeaderField("etag", "\"e\"")));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 100, Variant.DIRECT_MIN_BYTES - 1})
    void aSmallBodyHasNoDirectCopyAndWeighsOnce(int size) {
        Variant v = variant(size);
        assertFalse(v.hasDirectBody());
        assertNull(v.directBody());
        assertFalse(v.body().hasDirectCopy());
        assertTrue(v.weight() >= size && v.weight() < 2L * size + 200, "weight " + v.weight());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {Variant.DIRECT_MIN_BYTES, 5 * 1024 * 1024})
    void aLargeBodyIsWrittenFromADirectCopyOfTheSameBytesAndWeighsTwice(int size) {
        Variant v = variant(size);
        assertTrue(v.hasDirectBody());
        assertTrue(v.weight() >= 2L * size, "weight " + v.weight());
        ByteBuffer direct = v.directBody();
        assertTrue(direct.isDirect());
        byte[] written = new byte[direct.remaining()];
        direct.get(written);
        assertArrayEquals(v.body().unsafeArray(), written);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {Variant.DIRECT_MIN_BYTES, 100_000})
    void variantsSharingABodyShareItsCopy(int size) {
        Variant v = variant(size);
        v.directBody();
        Variant aged = new Variant(v.body(), v.contentEncoding(), List.of(new HeaderField("age", "3")));
        assertTrue(aged.body().hasDirectCopy(), "a variant rebuilt per second (age) makes no new copy");
        assertEquals(v.weight() - v.headers().get(0).name().length() - v.headers().get(0).value().length(),
                aged.weight() - "age".length() - "3".length());
    }
}
