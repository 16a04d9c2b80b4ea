package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Accept-Encoding weights (RFC 9110 §12.4.2, §12.5.3) as far as gzip is concerned. */
class AcceptEncodingTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "gzip                 | true",
        "gzip;q=1             | true",
        "gzip;q=1.000         | true",
        "gzip ; Q=0.001       | true",
        "gzip;q=0             | false",
        "gzip;q=0.            | false",
        "gzip;q=1.5           | false",
        "gzip;q=-1            | false",
        "gzip;q=0.0001        | false",
        "deflate              | false",
        "*                    | true",
        "*;q=0                | false",
        "gzip;q=0, *          | false",
        "*;q=0, gzip          | true",
        "br;q=1, gzip;q=0.2   | true",
        "NULL                 | false",
        "''                   | false",
    })
    void acceptsGzip(String field, boolean expected) {
        assertEquals(expected, AcceptEncoding.acceptsGzip(field));
    }
}
