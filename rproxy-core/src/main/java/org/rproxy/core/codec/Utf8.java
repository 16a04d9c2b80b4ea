package org.rproxy.core.codec;

import java.util.HexFormat;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * The check that bytes are JSON's encoding before Jackson reads them: well-formed UTF-8 (the
 * sequences of Unicode Table 3-7: no overlong form, no encoded surrogate, nothing above U+10FFFF,
 * nothing cut short) and no NUL byte, which JSON text never holds raw (RFC 8259 §7 escapes it)
 * and from which Jackson guesses UTF-16 or UTF-32. JSON between systems is UTF-8 (RFC 8259 §8.1,
 * I-JSON RFC 7493 §2.1); Jackson reads the rest too ({@code C0 AF} as {@code /}), so that two
 * byte strings could read as one request or one document. A UTF-8 byte order mark stays allowed
 * (RFC 8259 §8.1 lets a parser ignore it). One pass, ASCII runs at a test per byte. Stateless.
 */
public final class Utf8 {

    private Utf8() {
    }

    /**
     * @throws AltoException {@code E_SYNTAX} naming the offset of the first byte that is not
     *                       well-formed UTF-8, or of a NUL byte
     */
    public static void check(byte[] bytes) {
        int at = firstInvalid(bytes);
        if (at >= 0) {
            String what = bytes[at] == 0 ? "a NUL byte" : "byte 0x" + HexFormat.of().toHexDigits(bytes[at]);
            throw new AltoException(AltoError.syntax("malformed JSON at byte " + at + ": " + what
                    + " where UTF-8 is due (JSON text is well-formed UTF-8, RFC 8259 §8.1)"));
        }
    }

    /** The offset of the first byte that is not well-formed UTF-8 or is NUL, or -1. */
    static int firstInvalid(byte[] b) {
        int n = b.length;
        int i = 0;
        while (i < n) {
            int c = b[i];
            if (c > 0) {
                i++;
                continue;
            }
            if (c == 0) {
                return i;
            }
            c &= 0xff;
            int len;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
            } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                lo = c == 0xe0 ? 0xa0 : 0x80; // no overlong form
                hi = c == 0xed ? 0x9f : 0xbf; // no surrogate
            } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                lo = c == 0xf0 ? 0x90 : 0x80; // no overlong form
                hi = c == 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
            } else {
                return i;
            }
            if (i + len > n) {
                return i;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return i;
            }
            for (int k = 2; k < len; k++) {
                if ((b[i + k] & 0xc0) != 0x80) {
                    return i;
                }
            }
            i += len;
        }
        return -1;
    }
}
