package org.rproxy.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.AltoException;

/**
 * {@link Utf8Json} encodes text as {@code String.getBytes(UTF_8)} does (what the writer did
 * before it wrote bytes itself), and numbers as {@link EcmaNumbers}.
 */
class Utf8JsonTest {

    @Test
    void encodesStringsAsTheJdkDoes() {
        SplittableRandom random = new SplittableRandom(3);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(20);
            for (int i = 0; i < n; i++) {
                int cp = switch (random.nextInt(4)) {
                    case 0 -> 0x20 + random.nextInt(0x60);
                    case 1 -> 0x80 + random.nextInt(0x780);
                    case 2 -> 0x800 + random.nextInt(0xf800);
                    default -> 0x10000 + random.nextInt(0x100000);
                };
                if (cp == '"' || cp == '\\' || Character.isSurrogate((char) cp) && cp < 0x10000) {
                    continue;
                }
                s.appendCodePoint(cp);
            }
            byte[] got = new Utf8Json(1).string(s.toString()).toBytes();
            assertArrayEquals(("\"" + s + "\"").getBytes(StandardCharsets.UTF_8), got, s.toString());
        }
        assertEquals("\"a\\\"\\\\\\n\\u001f\"", new String(new Utf8Json(1).string("a\"\\\n\u001f").toBytes(),
                StandardCharsets.UTF_8));
        assertThrows(AltoException.class, () -> new Utf8Json(1).string("x\ud800y"));
        assertThrows(AltoException.class, () -> new Utf8Json(1).string("x\udc00"));
    }

    @Test
    void writesNumbersAsEcmaScriptDoes() {
        SplittableRandom random = new SplittableRandom(4);
        double[] fixed = {0.0, -0.0, 1, -1, 9007199254740991d, -9007199254740991d, 9007199254740992d, 1e21, 0.5, 1e-7};
        for (double v : fixed) {
            assertEquals(EcmaNumbers.format(v), new String(new Utf8Json(1).number(v).toBytes(), StandardCharsets.US_ASCII));
        }
        for (int i = 0; i < 10_000; i++) {
            double v = random.nextBoolean() ? random.nextLong(-1L << 54, 1L << 54) : Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(v)) {
                assertEquals(EcmaNumbers.format(v), new String(new Utf8Json(1).number(v).toBytes(), StandardCharsets.US_ASCII));
            }
        }
    }
}
