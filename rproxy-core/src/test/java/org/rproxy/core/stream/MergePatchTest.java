package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.codec.Jcs;

/** RFC 7396: the §3 example and the Appendix A table, and patches made by {@link MergePatch#diff}. */
class MergePatchTest {

    private static JsonNode json(String s) {
        return Jcs.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String jcs(JsonNode n) {
        return new String(Jcs.canonicalize(n), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            "{\"a\":\"b\"}                | {\"a\":\"c\"}            | {\"a\":\"c\"}",
            "{\"a\":\"b\"}                | {\"b\":\"c\"}            | {\"a\":\"b\",\"b\":\"c\"}",
            "{\"a\":\"b\"}                | {\"a\":null}             | {}",
            "{\"a\":\"b\",\"b\":\"c\"}    | {\"a\":null}             | {\"b\":\"c\"}",
            "{\"a\":[\"b\"]}              | {\"a\":\"c\"}            | {\"a\":\"c\"}",
            "{\"a\":\"c\"}                | {\"a\":[\"b\"]}          | {\"a\":[\"b\"]}",
            "{\"a\":{\"b\":\"c\"}}        | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
            "{\"a\":[{\"b\":\"c\"}]}      | {\"a\":[1]}              | {\"a\":[1]}",
            "[\"a\",\"b\"]                | [\"c\",\"d\"]            | [\"c\",\"d\"]",
            "{\"a\":\"b\"}                | [\"c\"]                  | [\"c\"]",
            "{\"a\":\"foo\"}              | null                     | null",
            "{\"a\":\"foo\"}              | \"bar\"                  | \"bar\"",
            "{\"e\":null}                 | {\"a\":1}                | {\"a\":1,\"e\":null}",
            "[1,2]                        | {\"a\":\"b\",\"c\":null} | {\"a\":\"b\"}",
            "{}                           | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}",
    })
    void appendixAExamples(String target, String patch, String result) {
        assertEquals(jcs(json(result)), jcs(MergePatch.apply(json(target), json(patch))));
    }

    @Test
    void theSection3ExampleRemovesWithNull() {
        JsonNode target = json("{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
                + "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}");
        JsonNode patch = json("{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\","
                + "\"author\":{\"familyName\":null},\"tags\":[\"example\"]}");
        JsonNode expected = json("{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
                + "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}");
        assertEquals(jcs(expected), jcs(MergePatch.apply(target, patch)));
        assertEquals(jcs(patch), jcs(MergePatch.diff(target, expected)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"cost-map\":{\"PID1\":{\"PID1\":1,\"PID2\":5}},\"meta\":{\"vtag\":{\"tag\":\"a\"}}} | {\"cost-map\":{\"PID1\":{\"PID1\":1,\"PID2\":6}},\"meta\":{\"vtag\":{\"tag\":\"b\"}}} | {\"cost-map\":{\"PID1\":{\"PID2\":6}},\"meta\":{\"vtag\":{\"tag\":\"b\"}}}",
            "{\"network-map\":{\"A\":{\"ipv4\":[\"10.0.0.0/8\"]},\"B\":{}}} | {\"network-map\":{\"A\":{\"ipv4\":[\"10.0.0.0/8\",\"11.0.0.0/8\"]}}} | {\"network-map\":{\"A\":{\"ipv4\":[\"10.0.0.0/8\",\"11.0.0.0/8\"]},\"B\":null}}",
            "{\"a\":1} | {\"a\":1} | {}",
            "[1] | {\"a\":{\"b\":2}} | {\"a\":{\"b\":2}}",
    })
    void diffMakesTheSmallestPatchThatApplies(String from, String to, String patch) {
        JsonNode d = MergePatch.diff(json(from), json(to));
        assertEquals(jcs(json(patch)), jcs(d));
        assertEquals(jcs(json(to)), jcs(MergePatch.apply(json(from), d)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"a\":1}       | {\"a\":null}",
            "{\"a\":{}}      | {\"a\":{\"b\":null}}",
            "[1]             | {\"x\":{\"y\":null}}",
            "{\"a\":1}       | null",
    })
    void aNullThePatchWouldHaveToWriteMeansNoPatch(String from, String to) {
        assertNull(MergePatch.diff(json(from), json(to)));
    }
}
