package org.rproxy.core.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.sign.Verdict;

/** The bundle parser refuses, with the line and field at fault, whatever its writer would not have written. */
class BundleParserTest {
    private static final String HEAD = "HTTP/1.1 200 OK\r\ncontent-type: application/alto-networkmap+json\r\n";

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String refusal(String file) {
        return refusal(ascii(file));
    }

    private static String refusal(byte[] file) {
        return assertThrows(MalformedBundleException.class, () -> SignedBundle.parse(file)).getMessage();
    }

    @Test
    void aMinimalWellFramedMessageParses() throws Exception {
        SignedBundle b = SignedBundle.parse(ascii(HEAD + "Content-Length:  2 \r\n\r\n{}"));
        assertEquals("application/alto-networkmap+json", b.field("content-type"));
        assertEquals("{}", b.body().asUtf8());
        assertEquals(1, b.fields().size(), "content-length frames the file and is not kept as a field");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "empty file|''|line 1: empty file",
            "not HTTP|'GET / HTTP/1.1\r\n\r\n'|line 1: not an HTTP/1.1 status line",
            "an error status|'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'|line 1: status 404 (expected: 200",
            "bare LF|'HTTP/1.1 200 OK\ncontent-length: 0\n\n'|line 1: bare LF",
            "CR alone|'HTTP/1.1 200 OK\rcontent-length: 0\r\n\r\n'|line 1: CR not followed by LF",
            "obs-fold|'HTTP/1.1 200 OK\r\netag: \"a\"\r\n \"b\"\r\n\r\n'|line 3: a line folded",
            "no colon|'HTTP/1.1 200 OK\r\netag \"a\"\r\n\r\n'|line 2: no ':'",
            "space before colon|'HTTP/1.1 200 OK\r\netag : \"a\"\r\n\r\n'|line 2: field name 'etag ' is not a token",
            "repeated field|'HTTP/1.1 200 OK\r\netag: \"a\"\r\nETag: \"b\"\r\n\r\n'|line 3 (etag): repeated",
            "chunked|'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'|line 2 (transfer-encoding): not allowed",
            "no content-length|'HTTP/1.1 200 OK\r\netag: \"a\"\r\n\r\n{}'|line 3: no content-length",
            "signed length|'HTTP/1.1 200 OK\r\ncontent-length: +2\r\n\r\n{}'|line 2 (content-length): '+2' (expected",
            "huge length|'HTTP/1.1 200 OK\r\ncontent-length: 9999999999999999999\r\n\r\n{}'|line 2 (content-length)",
            "control character|'HTTP/1.1 200 OK\r\netag: \"a\u0001\"\r\n\r\n'|line 2 (etag): character 0x01",
            "ends in the head|'HTTP/1.1 200 OK\r\netag: \"a\"'|line 2: the file ends inside the header section",
            "short body|'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n{}'|body: 2 of 5 bytes (the file is truncated)",
            "long body|'HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n{}'|body: 1 bytes after the 1 that content-length",
    })
    void refusesWithTheLineAndFieldAtFault(String what, String file, String expected) {
        String message = refusal(file);
        assertTrue(message.startsWith(expected), what + ": " + message);
    }

    @Test
    void aNonAsciiByteInAFieldIsRefusedNotDecoded() {
        byte[] file = ascii(HEAD + "etag: \"a?\"\r\ncontent-length: 0\r\n\r\n");
        file[HEAD.length() + 8] = (byte) 0xc3;
        assertTrue(refusal(file).startsWith("line 3 (etag): character 0xc3"), refusal(file));
    }

    @Test
    void anOversizedHeaderSectionIsRefusedWithoutScanningOn() {
        String big = "x-pad: " + "a".repeat(BundleParser.MAX_HEAD_BYTES) + "\r\n";
        assertTrue(refusal(HEAD + big + "content-length: 0\r\n\r\n").contains("longer than " + BundleParser.MAX_HEAD_BYTES),
                refusal(HEAD + big));
    }

    @Test
    void tooManyFieldsAreRefused() {
        StringBuilder s = new StringBuilder(HEAD);
        for (int i = 0; i < BundleParser.MAX_FIELDS + 1; i++) {
            s.append("x-f").append(i).append(": v\r\n");
        }
        assertTrue(refusal(s.append("content-length: 0\r\n\r\n").toString()).contains("more than " + BundleParser.MAX_FIELDS),
                s.toString());
    }

    @Test
    void anInputOverTheLimitIsRefusedHavingReadOneBytePastIt() throws Exception {
        byte[] file = SignedBundleTest.bundle().toBytes();
        ByteArrayInputStream in = new ByteArrayInputStream(file);
        MalformedBundleException e = assertThrows(MalformedBundleException.class,
                () -> SignedBundle.read(in, file.length - 1));
        assertEquals("larger than " + (file.length - 1) + " bytes (the limit for a bundle)", e.getMessage());
        assertEquals(0, in.available(), "read exactly limit + 1 bytes");
        assertNotNull(SignedBundle.read(new ByteArrayInputStream(file), file.length));
    }

    @Test
    void everyTruncationOfARealBundleIsRefused() {
        byte[] file = SignedBundleTest.bundle().toBytes();
        for (int n = 0; n < file.length; n++) {
            byte[] cut = Arrays.copyOf(file, n);
            assertThrows(MalformedBundleException.class, () -> SignedBundle.parse(cut), "first " + n + " bytes");
        }
    }

    /**
     * Random damage to a real bundle (bytes changed, inserted, removed, lines duplicated): the
     * parser either refuses with its own exception or yields a bundle whose verification answers a
     * verdict; nothing else is thrown, and a damaged bundle that parses never verifies unless only
     * uncovered parts (the reason phrase, cache-control) changed.
     */
    @Test
    void randomDamageNeverThrowsAnythingButARefusal() {
        byte[] file = SignedBundleTest.bundle().toBytes();
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 3000; round++) {
            byte[] damaged = damage(file, random);
            SignedBundle b;
            try {
                b = SignedBundle.parse(damaged);
            } catch (MalformedBundleException e) {
                assertNotNull(e.getMessage());
                continue;
            }
            Verdict v = b.verify(SignedBundleTest.verifierAt(SignedBundleTest.CREATED.plusSeconds(10)));
            if (v.valid()) {
                assertEquals(b.body(), SignedBundleTest.bundle().body(), "round " + round);
                for (String covered : new String[] {"content-type", "content-digest", "etag", "alto-resource"}) {
                    assertEquals(SignedBundleTest.bundle().field(covered), b.field(covered), "round " + round);
                }
            }
        }
    }

    private static byte[] damage(byte[] file, SplittableRandom random) {
        byte[] out = file.clone();
        int changes = 1 + random.nextInt(3);
        for (int c = 0; c < changes; c++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(4)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> out[at] = (byte) "\r\n: \t\"".charAt(random.nextInt(6));
                case 2 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                default -> {
                    byte[] shorter = new byte[out.length - 1];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                    out = shorter;
                }
            }
        }
        assertFalse(out.length == 0 && file.length == 0);
        return out;
    }
}
