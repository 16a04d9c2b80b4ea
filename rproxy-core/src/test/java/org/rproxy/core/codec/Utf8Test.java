package org.rproxy.core.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** {@link Utf8} agrees with the JDK's strict UTF-8 decoder, NUL bytes apart. */
class Utf8Test {

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytes() {
        SplittableRandom random = new SplittableRandom(8259);
        // bytes around every boundary of Unicode Table 3-7, and some ASCII
        int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
            0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff};
        for (int round = 0; round < 200_000; round++) {
            byte[] b = new byte[1 + random.nextInt(6)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) interesting[random.nextInt(interesting.length)];
            }
            boolean jdk = decodes(b) && indexOfNul(b) < 0;
            assertEquals(jdk, Utf8.firstInvalid(b) < 0, HexFormat.of().formatHex(b));
        }
    }

    @Test
    void namesTheFirstByteAtFault() {
        assertEquals(-1, Utf8.firstInvalid("a\u00e9\u20ac\ud83d\ude00".getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, Utf8.firstInvalid(HexFormat.of().parseHex("616263c0af")));
        assertEquals(1, Utf8.firstInvalid(HexFormat.of().parseHex("61e282")));
        assertEquals(2, Utf8.firstInvalid(HexFormat.of().parseHex("616200")));
    }

    private static boolean decodes(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
