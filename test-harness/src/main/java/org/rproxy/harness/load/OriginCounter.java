package org.rproxy.harness.load;

import java.util.Map;

/**
 * Where the number of requests the origin served comes from: the origin's {@code /metrics}, or a
 * counter the harness can reach (the counting relay it puts in front of an in-process origin).
 * A run reads it at start and at the end and reports the difference.
 */
public interface OriginCounter {
    /** What the count is read from, for the report. */
    String source();

    /** Requests served so far, by path; the total is the sum. */
    Map<String, Long> byPath() throws Exception;
}
