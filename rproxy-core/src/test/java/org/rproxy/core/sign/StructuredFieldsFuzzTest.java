package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the RFC 8941 parser with arbitrary field values (bytes taken as ISO-8859-1, as a header
 * arrives off the wire). The contract: a value either parses or is refused with
 * {@link StructuredFieldException}, nothing else escapes; and what parses serializes to a
 * canonical form that parses back to the same members (serializing it again changes nothing).
 * Seeds: {@code StructuredFieldsFuzzTestInputs/<method>/} in the test resources.
 */
class StructuredFieldsFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void dictionaryParsesOrIsRefusedAndRoundTrips(byte[] input) {
        Map<String, Object> dict;
        try {
            dict = StructuredFields.parseDictionary(new String(input, StandardCharsets.ISO_8859_1));
        } catch (StructuredFieldException refused) {
            return;
        }
        String canonical = serializeDictionary(dict);
        Map<String, Object> again;
        try {
            again = StructuredFields.parseDictionary(canonical);
        } catch (StructuredFieldException e) {
            throw new AssertionError("canonical form " + canonical + " does not parse: " + e.getMessage(), e);
        }
        assertEquals(List.copyOf(dict.keySet()), List.copyOf(again.keySet()), canonical);
        assertEquals(canonical, serializeDictionary(again), "serializing is not a fixed point");
    }

    @FuzzTest(maxDuration = "5m")
    void itemParsesOrIsRefusedAndRoundTrips(byte[] input) {
        StructuredFields.Item item;
        try {
            item = StructuredFields.parseItem(new String(input, StandardCharsets.ISO_8859_1));
        } catch (StructuredFieldException refused) {
            return;
        }
        String canonical = StructuredFields.serializeItem(item);
        StructuredFields.Item again;
        try {
            again = StructuredFields.parseItem(canonical);
        } catch (StructuredFieldException e) {
            throw new AssertionError("canonical form " + canonical + " does not parse: " + e.getMessage(), e);
        }
        assertEquals(canonical, StructuredFields.serializeItem(again), "serializing is not a fixed point");
        assertEquals(item.params().keySet(), again.params().keySet(), canonical);
    }

    /** RFC 8941 §4.1.2, which the production code never needs (it only writes inner lists and items). */
    private static String serializeDictionary(Map<String, Object> dict) {
        List<String> members = new ArrayList<>();
        for (Map.Entry<String, Object> m : dict.entrySet()) {
            Object v = m.getValue();
            if (v instanceof StructuredFields.InnerList list) {
                members.add(m.getKey() + "=" + StructuredFields.serializeInnerList(list));
            } else if (v instanceof StructuredFields.Item item) {
                members.add(m.getKey() + "=" + StructuredFields.serializeItem(item));
            } else {
                fail("member " + m.getKey() + " is a " + v.getClass().getName());
            }
        }
        return String.join(", ", members);
    }
}
