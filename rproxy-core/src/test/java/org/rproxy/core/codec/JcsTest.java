package org.rproxy.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;

/** RFC 8785 conformance: the §3.2.2 sample, §3.2.3 sorting, Appendix B numbers, and rejections. */
class JcsTest {

    private static String canon(String json) {
        return new String(Jcs.canonicalize(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void canonicalizesTheSampleOfSection322() {
        String input = "{\n"
                + "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n"
                + "}";
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(expected, canon(input));
    }

    @Test
    void sampleOfSection322HasTheBytesOfSection324() {
        String input = "{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"
                + "\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\"literals\":[null,true,false]}";
        String hex = "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72"
                + "75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a"
                + "5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31"
                + "65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37"
                + "5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30"
                + "30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d";
        assertArrayEquals(HexFormat.of().parseHex(hex.replace(" ", "")),
                Jcs.canonicalize(input.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sortsPropertiesByUtf16CodeUnitsAsInSection323() {
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertEquals(expected, canon(input));
    }

    @Test
    void sortsANonBmpKeyBeforeAHighBmpKeyUnlikeCodePointOrder() {
        // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33 although its code point is larger.
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("\ufb33", 1);
        node.put("\ud83d\ude00", 2);
        node.put("a", 3);
        assertEquals("{\"a\":3,\"\ud83d\ude00\":2,\"\ufb33\":1}",
                new String(Jcs.canonicalize(node), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0000000000000000, 0",
        "8000000000000000, 0",
        "0000000000000001, 5e-324",
        "8000000000000001, -5e-324",
        "7fefffffffffffff, 1.7976931348623157e+308",
        "ffefffffffffffff, -1.7976931348623157e+308",
        "4340000000000000, 9007199254740992",
        "c340000000000000, -9007199254740992",
        "4430000000000000, 295147905179352830000",
        "44b52d02c7e14af5, 9.999999999999997e+22",
        "44b52d02c7e14af6, 1e+23",
        "44b52d02c7e14af7, 1.0000000000000001e+23",
        "444b1ae4d6e2ef4e, 999999999999999700000",
        "444b1ae4d6e2ef4f, 999999999999999900000",
        "444b1ae4d6e2ef50, 1e+21",
        "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
        "3eb0c6f7a0b5ed8d, 0.000001",
        "41b3de4355555553, 333333333.3333332",
        "41b3de4355555554, 333333333.33333325",
        "41b3de4355555555, 333333333.3333333",
        "41b3de4355555556, 333333333.3333334",
        "41b3de4355555557, 333333333.33333343",
        "becbf647612f3696, -0.0000033333333333333333",
        "43143ff3c1cb0959, 1424953923781206.2",
    })
    void formatsTheNumbersOfAppendixB(String ieeeHex, String expected) {
        double v = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));
        assertEquals(expected, Jcs.formatNumber(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"})
    void rejectsNanAndInfinityOfAppendixB(String ieeeHex) {
        double v = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));
        assertThrows(IllegalArgumentException.class, () -> Jcs.formatNumber(v));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "1e21, 1e+21",
        "1e-7, 1e-7",
        "123e-20, 1.23e-18",
        "0.1, 0.1",
        "100, 100",
        "-1.5, -1.5",
        "2.82879384806159E17, 282879384806159000",
        "5e-324, 5e-324",
        "1.0E23, 1e+23",
        "4.35, 4.35",
        "9007199254740993, 9007199254740992",
    })
    void formatsNumbersInTheEcmaScriptLayout(String literal, String expected) {
        assertEquals(expected, canon(literal));
    }

    @Test
    void fastAndExactNumberPathsAgreeOnRandomBitPatterns() {
        SplittableRandom random = new SplittableRandom(8785);
        for (int i = 0; i < 5_000; i++) {
            assertPathsAgree(Double.longBitsToDouble(random.nextLong()));
        }
    }

    @Test
    void fastAndExactNumberPathsAgreeOnEverydayMagnitudes() {
        SplittableRandom random = new SplittableRandom(7493);
        for (int i = 0; i < 20_000; i++) {
            double v = random.nextDouble() * Math.pow(10, random.nextInt(-8, 22));
            assertPathsAgree(random.nextBoolean() ? v : Math.rint(v * 1000) / 1000);
        }
    }

    private static void assertPathsAgree(double v) {
        if (!Double.isFinite(v)) {
            return;
        }
        String s = Jcs.formatNumber(v);
        assertEquals(v == 0 ? 0d : v, Double.parseDouble(s), s);
        assertEquals(EcmaNumbers.formatExact(v), s, () -> Long.toHexString(Double.doubleToRawLongBits(v)));
    }

    @Test
    void escapesControlCharactersAndNothingElse() {
        String input = "[\"\\u0001\\u001f\\b\\t\\u007f/\\u2028\"]";
        assertEquals("[\"\\u0001\\u001f\\b\\t\u007f/\u2028\"]", canon(input));
    }

    @Test
    void removesWhitespaceAndKeepsArrayOrder() {
        assertEquals("[3,{\"a\":[],\"b\":{}},\"x\",true]", canon(" [ 3 , { \"b\" : { } , \"a\" : [ ] } , \"x\" , true ] "));
    }

    @Test
    void isIdempotent() {
        byte[] once = Jcs.canonicalize("{\"z\":[1.50,2e2],\"a\":\"\\u00e9\"}".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(once, Jcs.canonicalize(once));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}",
        "{\"a\":}",
        "{} []",
        "",
        "[1,]",
        "[NaN]",
        "[1e400]",
        "[-1e400]",
        "[\"\\ud800\"]",
        "{\"\\udc00x\":1}",
        "[01]",
        "{'a':1}",
    })
    void rejectsWhatIsNotIJson(String input) {
        AltoException e = assertThrows(AltoException.class, () -> canon(input));
        assertEquals(AltoErrorCode.E_SYNTAX, e.error().code());
    }

    /** I-JSON is UTF-8 (RFC 7493 §2.1): an overlong {@code /} is not read as one, nor UTF-16 as JSON. */
    @ParameterizedTest
    @ValueSource(strings = {"5b 22 c0 af 22 5d", "5b 22 ed a0 bd ed b8 80 22 5d", "00 5b 00 31 00 5d"})
    void rejectsWhatIsNotUtf8(String hex) {
        byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);
        AltoException e = assertThrows(AltoException.class, () -> Jcs.canonicalize(bytes));
        assertEquals(AltoErrorCode.E_SYNTAX, e.error().code());
        assertTrue(e.error().message().contains("UTF-8"), e.error().message());
    }

    /**
     * An upstream's document (a stream's patch or signature event, a directory) that is not JSON
     * is refused in the words a client's request body is: where (line and column) and what, in
     * one line, with nothing of Jackson's own location text ({@code [Source: REDACTED ...]}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"\n  {\"a\": 1", "{\n  \"a\": 1,\n  \"b\" 2\n}", "{} []", "", "   ",
        "{\"a\":1,\"a\":2}", "[NaN]", "{'a':1}"})
    void refusesInTheWordsOfTheDocumentReader(String input) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        AltoException jcs = assertThrows(AltoException.class, () -> Jcs.parse(bytes));
        AltoException reader = assertThrows(AltoException.class, () -> AltoJson.parse(bytes));
        assertEquals(reader.error().message(), jcs.error().message());
        assertFalse(jcs.getMessage().contains("Source"), jcs.getMessage());
        assertFalse(jcs.getMessage().contains("\n"), jcs.getMessage());
    }

    @Test
    void anUnclosedObjectSaysWhereTheInputEndedAndWhereTheObjectBegan() {
        AltoException e = assertThrows(AltoException.class,
                () -> Jcs.parse("\n  {\"a\": 1".getBytes(StandardCharsets.UTF_8)));
        assertEquals(AltoErrorCode.E_SYNTAX, e.error().code());
        assertTrue(e.error().message().startsWith("malformed JSON at line 2, column "), e.error().message());
        assertTrue(e.error().message().contains("line: 2, column: 3"), e.error().message());
        assertFalse(e.error().message().contains("Source"), e.error().message());
    }
}
