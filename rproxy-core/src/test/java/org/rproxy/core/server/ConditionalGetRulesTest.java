package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The weak comparison of RFC 9110 §8.8.3.2 as {@link ConditionalGet} applies it. */
class ConditionalGetRulesTest {

    @ParameterizedTest(name = "{0} {1} vs {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "GET  | \"x\"       | \"x\"    | true",
        "GET  | W/\"x\"     | \"x\"    | true",
        "GET  | \"x\"       | W/\"x\"  | true",
        "GET  | W/\"x\"     | W/\"x\"  | true",
        "GET  | \"x\"       | \"xy\"   | false",
        "GET  | \"xy\"      | \"x\"    | false",
        "GET  | \"x,y\"     | \"x,y\"  | true",
        "GET  | \"x\"       | NULL     | false",
        "GET  | *           | NULL     | true",
        "GET  | NULL        | \"x\"    | false",
        "GET  | ''          | \"x\"    | false",
        "HEAD | \"x\"       | \"x\"    | true",
        "POST | \"x\"       | \"x\"    | false",
        "POST | *           | \"x\"    | false",
        "GET  | w/\"x\"     | \"x\"    | false",
    })
    void weakComparison(String method, String ifNoneMatch, String etag, boolean notModified) {
        assertEquals(notModified, ConditionalGet.notModified(method, ifNoneMatch, etag));
    }
}
