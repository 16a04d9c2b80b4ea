package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.Bytes;

/** RFC 8941 parsing and serialization, with the examples of §3. */
class StructuredFieldsTest {

    @Test
    void parsesADictionaryOfStringAndByteSequence() {
        Map<String, Object> d = StructuredFields.parseDictionary("en=\"Applepie\", da=:w4ZibGV0w6ZydGUK:");
        assertEquals(List.of("en", "da"), List.copyOf(d.keySet()));
        assertEquals("Applepie", ((StructuredFields.Item) d.get("en")).value());
        assertEquals(Bytes.wrap("\u00c6blet\u00e6rte\n".getBytes(StandardCharsets.UTF_8)),
                ((StructuredFields.Item) d.get("da")).value());
    }

    @Test
    void parsesBareKeysAsTrueWithParameters() {
        Map<String, Object> d = StructuredFields.parseDictionary("a=?0, b, c; foo=bar");
        assertEquals(Boolean.FALSE, ((StructuredFields.Item) d.get("a")).value());
        assertEquals(Boolean.TRUE, ((StructuredFields.Item) d.get("b")).value());
        StructuredFields.Item c = (StructuredFields.Item) d.get("c");
        assertEquals(Boolean.TRUE, c.value());
        assertEquals(new StructuredFields.Token("bar"), c.params().get("foo"));
    }

    @Test
    void parsesInnerListsWithParametersAndDecimals() {
        Map<String, Object> d = StructuredFields.parseDictionary("rating=1.5, feelings=(joy sadness);x=-12");
        assertEquals(new BigDecimal("1.5"), ((StructuredFields.Item) d.get("rating")).value());
        StructuredFields.InnerList l = assertInstanceOf(StructuredFields.InnerList.class, d.get("feelings"));
        assertEquals(2, l.items().size());
        assertEquals(-12L, l.params().get("x"));
    }

    @Test
    void lastDuplicateKeyWins() {
        Map<String, Object> d = StructuredFields.parseDictionary("a=1, a=2");
        assertEquals(2L, ((StructuredFields.Item) d.get("a")).value());
    }

    @Test
    void serializesAnInnerListCanonically() {
        String in = "(  \"a\" \"b\\\\c\"  );created=1;keyid=\"k\";ok;d=1.50;t=tok";
        StructuredFields.InnerList l = (StructuredFields.InnerList) StructuredFields.parseDictionary("x=" + in).get("x");
        assertEquals("(\"a\" \"b\\\\c\");created=1;keyid=\"k\";ok;d=1.5;t=tok", StructuredFields.serializeInnerList(l));
    }

    @Test
    void parsesAnItemWithParameters() {
        StructuredFields.Item item = StructuredFields.parseItem("  \"id\";path=\"/x\";input=:AAE=:  ");
        assertEquals("id", item.value());
        assertEquals("/x", item.params().get("path"));
        assertEquals(Bytes.wrap(new byte[] {0, 1}), item.params().get("input"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a=1,",
        "a=1,,b=2",
        "A=1",
        "a=\"unterminated",
        "a=\"bad \\n escape\"",
        "a=\"caf\u00e9\"",
        "a=1234567890123456",
        "a=1.2345",
        "a=1234567890123.5",
        "a=1.",
        "a=-",
        "a=:not base64!:",
        "a=:AAE=",
        "a=?2",
        "a=(1 2",
        "a=(1,2)",
        "a=1;",
        "a=1 b=2",
        "a=@",
        "a=1\u0000",
    })
    void rejectsMalformedDictionaries(String field) {
        assertThrows(StructuredFieldException.class, () -> StructuredFields.parseDictionary(field));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "\"a\" \"b\"", "\"a\",", "(\"a\")x"})
    void rejectsMalformedItems(String field) {
        assertThrows(StructuredFieldException.class, () -> StructuredFields.parseItem(field));
    }

    /** RFC 8941 §4.1: what the parser would refuse, the serializer fails on, rather than write it. */
    @ParameterizedTest
    @ValueSource(strings = {"integer", "negative integer", "token", "token start", "decimal"})
    void refusesToSerializeWhatItCouldNotParseBack(String what) {
        Object bad = switch (what) {
            case "integer" -> 1_000_000_000_000_000L;
            case "negative integer" -> -1_000_000_000_000_000L;
            case "token" -> new StructuredFields.Token("a b");
            case "token start" -> new StructuredFields.Token("1a");
            default -> new BigDecimal("1234567890123.5");
        };
        StructuredFields.Item item = new StructuredFields.Item(bad, Map.of());
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.serializeItem(item));
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.serializeItem(
                new StructuredFields.Item(1L, Map.of("p", bad))), "as a parameter");
    }

    @Test
    void serializesTheExtremesItParses() {
        for (String field : List.of("999999999999999", "-999999999999999", "123456789012.123", "*a:b/c")) {
            assertEquals(field, StructuredFields.serializeItem(StructuredFields.parseItem(field)));
        }
    }

    /** RFC 8941 §4.1.5: a decimal is written with at most three fraction digits, rounded half to even. */
    @Test
    void roundsADecimalToThreeFractionDigits() {
        assertEquals("1.234", StructuredFields.serializeItem(new StructuredFields.Item(new BigDecimal("1.23449"), Map.of())));
        assertEquals("0.002", StructuredFields.serializeItem(new StructuredFields.Item(new BigDecimal("0.0025"), Map.of())));
        assertEquals("2.0", StructuredFields.serializeItem(new StructuredFields.Item(new BigDecimal("1.9999"), Map.of())));
    }

    @Test
    void refusesToSerializeAStringNoFieldCanHold() {
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.serializeString("a\nb"));
    }
}
