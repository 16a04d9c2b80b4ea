package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.VersionTag;

class JsonSyntaxTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesAnObject() {
        assertEquals(5, AltoJson.parse(utf8("{\"a\": [1, 2, {\"b\": 5}]}")).get("a").get(2).get("b").intValue());
    }

    @Test
    void malformedJsonIsSyntaxErrorWithLineAndColumn() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\n  \"a\": 1,\n  \"b\" 2\n}")));
        assertTrue(e.message().contains("line 3"), e.message());
        assertTrue(e.message().contains("column"), e.message());
        assertEquals(400, e.httpStatus());
    }

    @Test
    void repeatedMemberNameIsRefused() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\"pids\": [\"A\"], \"pids\": [\"B\"]}")));
        assertTrue(e.message().contains("pids"), e.message());
    }

    @Test
    void repeatedMemberNameIsRefusedInNestedObjects() {
        assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\"cost-map\": {\"P\": {\"Q\": 1, \"Q\": 2}}}")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{} {}", "{\"a\":1} x", "[1,]", "{\"a\": NaN}", "{'a': 1}", "{\"a\": 01}"})
    void refusesWhatIsNotExactlyOneJsonValue(String text) {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(utf8(text)));
        assertFalse(e.message().contains("com.fasterxml"), e.message());
        assertFalse(e.message().contains("\n"), e.message());
    }

    /**
     * A value cut off after a literal: Jackson words the end of input with the name of its own
     * current token ("in VALUE_FALSE", or "in null" once the tree reader has cleared it), which
     * no client can read and which made the request reader's error differ from the tree reader's.
     * Found by RequestReadersFuzzTest (its input literal-then-cut-number).
     */
    @ParameterizedTest
    @ValueSource(strings = {"false-", "true -", "null-", "{}-", "[] -", "\"a\"-"})
    void aCutValueAfterTheFirstIsWordedAlikeByBothReadersWithoutJacksonsTokenNames(String text) {
        AltoError tree = assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(utf8(text)));
        AltoError request = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> RequestJson.read(utf8(text), RequestJson.shape("a")));
        assertEquals(tree, request);
        assertFalse(tree.message().matches(".* in (null|[A-Z]+(_[A-Z]+)+)$"), tree.message());
    }

    /**
     * An escape can write a lone surrogate (backslash, u, D800) in well-formed UTF-8; no UTF-8 and
     * no RFC 8785 writer can write it back. It was read: an upstream's error body relayed with
     * {@code ?} in its place (read again, another error), a directory whose uri the origin could
     * not sign. Found by review of AltoJsonFuzzTest's round trips (errorBodyDecodesOrIsRefused,
     * input error-message-lone-surrogate): refused at the string, as a syntax error placed where
     * it starts, by the tree, stream and request readers alike; a pair of escapes is a character.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"meta\": {\"message\": \"a\\ud800b\"}}        | 22 | D800",
        "{\"meta\": {\"message\": \"\\udc00\"}}          | 22 | DC00",
        "{\"meta\": {\"message\": \"\\ude00\\ud83d\"}} | 22 | DE00",
        "{\"meta\": {\"\\ud83d\": 1}}                      | 11 | D83D"})
    void aStringEscapingALoneSurrogateIsASyntaxErrorWhereItStarts(String text, int column, String unit) {
        AltoError tree = assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(utf8(text)));
        assertEquals("malformed JSON at line 1, column " + column + ": string holds a lone surrogate U+" + unit,
                tree.message());
        assertEquals(tree, assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> RequestJson.read(utf8(text), RequestJson.shape("meta/message"))));
        assertEquals(tree, assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.readCostMap(utf8(text), new VersionTag("c", "1"))));
    }

    @Test
    void aSurrogatePairWrittenAsTwoEscapesIsOneCharacter() {
        assertEquals("a\ud83d\ude00b", AltoJson.parse(utf8("{\"m\": \"a\\ud83d\\ude00b\"}")).get("m").textValue());
    }

    @Test
    void invalidUtf8IsSyntaxError() {
        byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(bad));
    }

    /**
     * JSON between systems is UTF-8 (RFC 8259 §8.1; I-JSON, RFC 7493 §2.1, allows nothing else),
     * and only well-formed UTF-8 (Unicode Table 3-7). Jackson reads what is not: an overlong form
     * ({@code C0 AF} read as {@code /}, {@code C0 B1} as {@code 1}, so {@code "PID\xC0\xB1"} was
     * the PID {@code PID1}), surrogates encoded one by one (CESU-8), code points above U+10FFFF, and
     * UTF-16 or UTF-32, which it guesses from the NUL bytes. Each is refused before Jackson reads
     * it, naming the byte, whichever reader is used: a tree, or the stream a cost map is read by.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "7b 22 61 22 3a 22 c0 af 22 7d",                 // {"a":"/"} with / overlong
        "7b 22 61 22 3a 22 50 49 44 c0 b1 22 7d",        // {"a":"PID1"} with 1 overlong
        "7b 22 61 22 3a 22 e0 80 af 22 7d",              // three-byte overlong
        "7b 22 61 22 3a 22 f0 80 80 af 22 7d",           // four-byte overlong
        "7b 22 61 22 3a 22 ed a0 bd ed b8 80 22 7d",     // U+1F600 as two encoded surrogates (CESU-8)
        "7b 22 61 22 3a 22 ed a0 bd 22 7d",              // a lone encoded surrogate
        "7b 22 61 22 3a 22 f4 90 80 80 22 7d",           // above U+10FFFF
        "7b 22 61 22 3a 22 f8 88 80 80 80 22 7d",        // a five-byte form
        "7b 22 61 22 3a 22 e2 82 22 7d",                 // cut short
        "7b 22 61 22 3a 22 e2 82",                       // cut short at the end
        "00 7b 00 22 00 61 00 22 00 3a 00 31 00 7d",     // UTF-16BE
        "7b 00 22 00 61 00 22 00 3a 00 31 00 7d 00",     // UTF-16LE
        "fe ff 00 7b 00 7d",                             // UTF-16BE with its byte order mark
        "00 00 00 7b 00 00 00 7d",                       // UTF-32BE
        "7b 22 61 22 3a 31 7d 00",                       // a NUL after the value
    })
    void onlyWellFormedUtf8IsJson(String hex) {
        byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(bytes));
        assertTrue(e.message().contains("UTF-8"), e.message());
        AltoError streamed = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.readCostMap(bytes, new VersionTag("c", "1")));
        assertEquals(e.message(), streamed.message());
    }

    @Test
    void wellFormedUtf8OfEveryLengthIsRead() {
        // U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF, after a byte order mark
        String text = "\u0080\u07ff\u0800\ud7ff\ue000\uffff\ud800\udc00\udbff\udfff";
        byte[] doc = ("\ufeff{\"a\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
        assertEquals(text, AltoJson.parse(doc).get("a").textValue());
    }

    @Test
    void unclosedObjectSaysWhereItBegan() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(utf8("\n  {\"a\": 1")));
        assertTrue(e.message().contains("line: 2, column: 3"), e.message());
        assertFalse(e.message().contains("Source"), e.message());
        assertFalse(e.message().contains("StreamReadFeature"), e.message());
    }

    @Test
    void messageDoesNotEchoTheSourceDocument() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\"secret-looking-member\": }")));
        assertFalse(e.message().contains("Source:"), e.message());
    }
}
